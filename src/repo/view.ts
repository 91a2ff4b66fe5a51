/**
 * The read side of a repository tree, as the read-only tools see it. A `Snapshot` implements it; so can
 * the developer's in-memory overlay (its own view over a snapshot plus pending writes).
 */
export interface FileView {
  /** Every regular file's path, relative to the repository root, `/`-separated. Order is not required. */
  list(): Iterable<string>;
  /** The file's bytes, or undefined when there is no regular file at that path. */
  read(path: string): Buffer | undefined;
}
