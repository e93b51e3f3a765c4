// What a backup file is, by its first bytes and never by its name: a tar archive (its first
// header's checksum holds, or it is the zero blocks of an empty archive), gzip, zstd, age, or
// one of the formats people mistake for them. One finding can then say what the file is,
// instead of a tar parser's complaint about every block of it.
import { Header } from "tar";

export type ContentFormat =
  | "tar"
  | "gzip"
  | "zstd"
  | "age"
  | "age-armored"
  | "bzip2"
  | "xz"
  | "zip"
  | "sqlite"
  | "empty"
  | "other";

/** Bytes enough to tell them apart: one tar header block. */
export const FORMAT_HEAD_BYTES = 512;

const MAGIC: readonly (readonly [ContentFormat, Buffer])[] = [
  ["gzip", Buffer.from([0x1f, 0x8b])],
  ["zstd", Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ["age", Buffer.from("age-encryption.org/v1\n")],
  ["age-armored", Buffer.from("-----BEGIN AGE ENCRYPTED FILE-----")],
  ["bzip2", Buffer.from("BZh")],
  ["xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ["zip", Buffer.from("PK\x03\x04")],
  ["sqlite", Buffer.from("SQLite format 3\0", "latin1")],
];

/** Whether the first 512 bytes are a tar header (checksum valid) or an empty archive's end. */
function isTarBlock(head: Buffer): boolean {
  if (head.length < FORMAT_HEAD_BYTES) return false;
  const block = head.subarray(0, FORMAT_HEAD_BYTES);
  try {
    const header = new Header(block);
    return header.nullBlock || header.cksumValid;
  } catch {
    return false;
  }
}

/** The format of a file or stream from its first FORMAT_HEAD_BYTES bytes (fewer if it is shorter). */
export function detectFormat(head: Buffer): ContentFormat {
  if (head.length === 0) return "empty";
  // Tar first: a member's name could start with "BZh" or "PK", a valid checksum cannot lie.
  if (isTarBlock(head)) return "tar";
  for (const [format, magic] of MAGIC)
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) return format;
  return "other";
}

const DESCRIPTION: Record<ContentFormat, string> = {
  tar: "a tar archive",
  gzip: "a gzip-compressed file",
  zstd: "a zstd-compressed file",
  age: "an age-encrypted file",
  "age-armored": "an ASCII-armored age file (age -a)",
  bzip2: "a bzip2-compressed file",
  xz: "an xz-compressed file",
  zip: "a zip archive",
  sqlite: "an SQLite database",
  empty: "empty (0 bytes)",
  other: "unrecognised data (its first bytes are those of none of tar, gzip, zstd or age)",
};

/** "an age-encrypted file", "a zip archive": what a finding says the file is. */
export function describeFormat(format: ContentFormat): string {
  return DESCRIPTION[format];
}
