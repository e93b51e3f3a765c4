// src/sources/detect-format.ts: what a backup file is, from its first bytes only.
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { detectFormat } from "../../src/sources/detect-format.js";
import { rawTar } from "../helpers/raw-tar.js";

describe("detectFormat, from the first bytes and never the name", () => {
  it.each([
    ["a tar header", rawTar([{ path: "a.txt", body: "x" }]), "tar"],
    ["an empty tar (zero blocks)", Buffer.alloc(1024), "tar"],
    ["a tar whose first member is named like bzip2", rawTar([{ path: "BZh9", body: "" }]), "tar"],
    ["gzip", gzipSync(rawTar([{ path: "a", body: "x" }])), "gzip"],
    ["zstd", Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(600)]), "zstd"],
    ["age", Buffer.from("age-encryption.org/v1\n-> X25519 abc\n"), "age"],
    ["armored age", Buffer.from("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"), "age-armored"],
    ["bzip2", Buffer.from("BZh91AY&SY"), "bzip2"],
    ["xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]), "xz"],
    ["zip", Buffer.from("PK\x03\x04rest"), "zip"],
    [
      "SQLite",
      Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(600)]),
      "sqlite",
    ],
    ["nothing", Buffer.alloc(0), "empty"],
    ["a tar header with one byte changed", flipped(rawTar([{ path: "a", body: "x" }])), "other"],
    ["text shorter than a tar block", Buffer.from("hello\n"), "other"],
  ])("tells %s", (_name, bytes, format) => {
    expect(detectFormat(bytes.subarray(0, 512))).toBe(format);
  });

  it("calls random bytes other, never tar", () => {
    for (let i = 0; i < 200; i++) expect(detectFormat(randomBytes(512))).not.toBe("tar");
  });
});

function flipped(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[10] = (copy[10] ?? 0) ^ 0x01; // inside the name: the checksum no longer holds
  return copy;
}
