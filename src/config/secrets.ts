/**
 * The deployment's secrets, as the list the model guard redacts from every request (ARCHITECTURE §8,
 * issue "Trust boundaries" Part 6). Built from the parsed credentials, not only the raw environment
 * strings: a private key given `\n`-escaped in PRIVATE_KEY, or read from PRIVATE_KEY_PATH, has other
 * bytes than any environment value, and a key can reach a prompt in pieces (one line of its body, the
 * base64 of its DER without line breaks, re-wrapped, or converted to the other PEM format).
 *
 * `redactSecrets` (src/core/sanitize.ts) adds the JSON-escaped, URL-encoded and base64 forms of each
 * value on this list and ignores values shorter than `MIN_SECRET_LENGTH`.
 */
import { createPrivateKey } from "node:crypto";
import type { TriadEnv } from "./env.js";

/** Shorter body lines (a PEM's last line can be a few characters) would redact ordinary text. */
export const MIN_KEY_PIECE = 16;

/** Environment variables whose value is a secret, by name. */
const SECRET_NAME =
  /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH)$|^PRIVATE_KEY$|^WEBHOOK_SECRET$/i;

function chunks(text: string, width: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += width) out.push(text.slice(at, at + width));
  return out;
}

/** The base64 of a DER, whole and as the lines of a PEM (64 characters) or MIME (76). */
function base64Pieces(der: string): string[] {
  return [der, ...chunks(der, 64), ...chunks(der, 76)];
}

/**
 * Every form in which a private key may show up in text: the PEM as parsed, with CRLF line ends and
 * with `\n` escapes, its base64 body lines, the DER in base64 without line breaks (and re-wrapped),
 * and, when node can read the key, the same for its PKCS#1 and PKCS#8 encodings.
 */
export function privateKeyForms(pem: string): string[] {
  const lf = pem.replace(/\r\n?/g, "\n").trim();
  const forms = [pem, lf, lf.replace(/\n/g, "\r\n"), lf.replace(/\n/g, "\\n"), lf.replace(/\n/g, "\\r\\n")];
  const body = lf
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("-----") && !/^[\w-]+:/.test(line));
  forms.push(...body, ...base64Pieces(body.join("")));
  try {
    const key = createPrivateKey(lf);
    for (const type of ["pkcs1", "pkcs8"] as const) {
      if (type === "pkcs1" && key.asymmetricKeyType !== "rsa") continue;
      const der = key.export({ type, format: "der" }).toString("base64");
      forms.push(key.export({ type, format: "pem" }).toString().trim(), ...base64Pieces(der));
    }
  } catch {
    // Not a key node can read (a test stand-in, an encrypted key): its text forms above still count.
  }
  return forms.filter((form) => form.length >= MIN_KEY_PIECE);
}

/**
 * The password of a URL-valued variable (`redis://:pass@host`, credentials in a base URL). Not the
 * user name: that is often a word ("default") whose redaction would garble ordinary text.
 */
function urlCredentials(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [];
  try {
    const { password } = new URL(value);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

/**
 * The values no model request may contain: the app's private key in every form (`privateKeyForms`),
 * the webhook secret, every API key, token, secret or password variable of the environment, and the
 * passwords inside URL-valued variables. Longest first; duplicates and empty values dropped.
 */
export function redactionList(
  env: Pick<TriadEnv, "app" | "webhookSecret" | "privateKeys" | "raw">,
): string[] {
  const values = new Set<string>();
  const add = (value: string | undefined) => {
    if (value && value.trim() !== "") values.add(value);
  };
  for (const pem of [env.app?.privateKey, ...env.privateKeys]) {
    if (pem) for (const form of privateKeyForms(pem)) add(form);
  }
  add(env.webhookSecret);
  for (const [name, value] of Object.entries(env.raw)) {
    if (value === undefined) continue;
    if (SECRET_NAME.test(name)) {
      add(value);
      add(value.trim());
    }
    for (const credential of urlCredentials(value)) add(credential);
  }
  return [...values].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}
