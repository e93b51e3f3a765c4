// Facts read from the 100-byte SQLite header (https://www.sqlite.org/fileformat.html#the_database_header).

const MAGIC = Buffer.from("SQLite format 3\0", "latin1");

/** SQLite is detected by its header, never by its file name. */
export function isSQLiteHeader(head: Uint8Array): boolean {
  return head.length >= 100 && Buffer.from(head.subarray(0, 16)).equals(MAGIC);
}

/** Bytes 18 and 19 are 2 when the database is in WAL mode. */
export function isWALMode(head: Uint8Array): boolean {
  return head[18] === 2 || head[19] === 2;
}
