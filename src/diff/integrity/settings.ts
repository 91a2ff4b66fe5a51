import { KEYED_RULES, type KeyedRule, LIST_RULES, type ListRule } from "./config-rules.js";
import { keyValues, type ListItem, ListTracker } from "./config-scan.js";
import { type Hit, hunkFlags } from "./flags.js";
import { type ChangedLine, type FileFacts, pairNearest } from "./lines.js";
import type { IntegrityFlag } from "./types.js";

/** Configuration changes: settings moved down their strictness order, lists widened or narrowed. */

interface Setting extends Hit {
  rule: KeyedRule;
  key: string;
  value: string;
  strictness: number;
}

/** Settings moved down their strictness order, removed where the default is laxer, or newly lax. */
export function settingFlags(facts: readonly FileFacts[], lines: readonly ChangedLine[]): IntegrityFlag[] {
  const groups = new Map<string, { olds: Setting[]; news: Setting[] }>();
  const rulesOf = facts.map((f) => KEYED_RULES.filter((r) => r.files.test(f.path)));
  for (const line of lines) {
    const rules = rulesOf[line.fileIndex] ?? [];
    if (rules.length === 0) continue;
    for (const kv of keyValues(line.text)) {
      for (const rule of rules) {
        if (!rule.key.test(kv.key)) continue;
        const strictness = rule.strictness(kv.value);
        if (strictness === undefined) continue;
        const k = `${rule.id}\u0000${kv.key}`;
        const g = groups.get(k) ?? { olds: [], news: [] };
        (line.kind === "add" ? g.news : g.olds).push({
          line,
          rule,
          key: kv.key,
          value: kv.value,
          strictness,
        });
        groups.set(k, g);
      }
    }
  }
  const relaxed = new Map<string, { rule: KeyedRule; hits: Setting[] }>();
  const note = (s: Setting) => {
    const e = relaxed.get(s.rule.id) ?? { rule: s.rule, hits: [] };
    e.hits.push(s);
    relaxed.set(s.rule.id, e);
  };
  for (const { olds, news } of groups.values()) {
    const { pairs, removed, added } = pairNearest(olds, news, ["block", "file", "diff"]);
    for (const [o, n] of pairs) if (n.strictness < o.strictness) note(n);
    for (const o of removed) if (o.rule.absent !== undefined && o.strictness > o.rule.absent) note(o);
    for (const n of added) {
      const status = facts[n.line.fileIndex]?.file.status;
      if (n.rule.laxNew?.(n.value) && !(n.rule.laxNewOnlyIfModified && status === "added")) note(n);
    }
  }
  return [...relaxed.values()].flatMap((e) => {
    const sorted = [...e.hits].sort(
      (a, b) => a.line.fileIndex - b.line.fileIndex || a.line.line - b.line.line,
    );
    return hunkFlags(facts, sorted, e.rule.rule, e.rule.what, e.rule.source);
  });
}

interface Item extends Hit {
  rule: ListRule;
  item: string;
}

/** Items added to ignore lists, or removed from select lists. */
export function listFlags(facts: readonly FileFacts[], lines: readonly ChangedLine[]): IntegrityFlag[] {
  const items: Item[] = [];
  facts.forEach((f, fileIndex) => {
    const rules = LIST_RULES.filter((r) => r.files.test(f.path));
    if (rules.length === 0 || f.file.binary) return;
    f.file.hunks.forEach((hunk, hunkIndex) => {
      const sides = { old: new ListTracker(), new: new ListTracker() };
      if (hunk.section) {
        sides.old.feed(hunk.section);
        sides.new.feed(hunk.section);
      }
      const changed = lines.filter((l) => l.fileIndex === fileIndex && l.hunkIndex === hunkIndex);
      let next = 0;
      const take = (line: ChangedLine, found: readonly ListItem[]) => {
        for (const it of found) {
          const rule = rules.find((r) => r.path.test(it.path));
          if (rule && !rule.benign?.test(it.item)) items.push({ line, rule, item: it.item });
        }
      };
      for (const l of hunk.lines) {
        if (l.kind !== "context") {
          const line = changed[next++] as ChangedLine;
          take(line, (l.kind === "add" ? sides.new : sides.old).feed(l.text));
          continue;
        }
        // An unchanged line can still change lists: removing `enable:` above it moves it to `disable:`.
        const before = sides.old.feed(l.text);
        const after = sides.new.feed(l.text);
        if (before.map((i) => i.path).join("\n") === after.map((i) => i.path).join("\n")) continue;
        const at = {
          fileIndex,
          hunkIndex,
          block: -1,
          text: l.text,
          code: l.text,
          source: l.text,
          comment: "",
          comments: [],
          test: false,
        };
        take({ ...at, kind: "del", line: l.oldLine ?? 0 }, before);
        take({ ...at, kind: "add", line: l.newLine ?? 0 }, after);
      }
    });
  });
  const byKey = new Map<string, { dels: Item[]; adds: Item[] }>();
  for (const it of items) {
    const k = `${it.rule.id}\u0000${it.item}`;
    const g = byKey.get(k) ?? { dels: [], adds: [] };
    (it.line.kind === "add" ? g.adds : g.dels).push(it);
    byKey.set(k, g);
  }
  const relaxed = new Map<string, { rule: ListRule; hits: Item[] }>();
  for (const { dels, adds } of byKey.values()) {
    const { removed, added } = pairNearest(dels, adds, ["block", "file", "diff"]);
    const bad =
      (dels[0] ?? adds[0])?.rule.relaxes === "added"
        ? added.filter((a) => facts[a.line.fileIndex]?.file.status !== "added")
        : removed;
    for (const b of bad) {
      const e = relaxed.get(b.rule.id) ?? { rule: b.rule, hits: [] };
      e.hits.push(b);
      relaxed.set(b.rule.id, e);
    }
  }
  return [...relaxed.values()].flatMap((e) => {
    const sorted = [...e.hits].sort(
      (a, b) => a.line.fileIndex - b.line.fileIndex || a.line.line - b.line.line,
    );
    return hunkFlags(facts, sorted, e.rule.rule, e.rule.what, e.rule.source);
  });
}
