// XXH64 reference values: the xxHash spec's test vectors and Envoy's test/common/common/hash_test.cc.
import { describe, expect, it } from "vitest";
import { xxHash64, xxHash64Bytes } from "./xxhash64.ts";

describe("xxHash64", () => {
  it.each([
    { input: "", seed: 0n, expected: 0xef46db3751d8e999n, why: "empty input" },
    { input: "a", seed: 0n, expected: 0xd24ec4f1a98c6e5bn, why: "one byte" },
    { input: "abc", seed: 0n, expected: 0x44bc2cf5ad770999n, why: "tail bytes only" },
    { input: "foo", seed: 0n, expected: 3728699739546630719n, why: "Envoy's HashUtil::xxHash64(\"foo\")" },
    { input: "Nobody inspects the spammish repetition", seed: 0n, expected: 0xfbcea83c8a378bf1n, why: "32-byte stripes, 8- and 4-byte tails" },
  ])("hashes $input to $expected ($why)", ({ input, seed, expected }) => {
    expect(xxHash64(input, seed)).toBe(expected);
  });

  it("depends on the seed, as Maglev's second hash (seed 1) needs", () => {
    expect(xxHash64("10.0.0.1:8080", 1n)).not.toBe(xxHash64("10.0.0.1:8080", 0n));
  });

  it("hashes strings as their UTF-8 bytes", () => {
    expect(xxHash64("é")).toBe(xxHash64Bytes(Uint8Array.from([0xc3, 0xa9])));
  });

  it("stays within 64 bits for long inputs", () => {
    const h = xxHash64("x".repeat(1000));
    expect(h >= 0n && h < 1n << 64n).toBe(true);
  });
});
