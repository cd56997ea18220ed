// Cross-checks the gateway's hand-written MessagePack codec against @msgpack/msgpack, an independent implementation.
// Driven by tests/PushGateway.Tests/Protocol/MessagePack/NodeInteropTests.cs; usable by hand too:
//
//   echo 93c3c0a161 | node msgpack-roundtrip.mjs decode      -> [true,null,"a"]
//   echo '[1,"a",{"$bin":"AQI="}]' | node msgpack-roundtrip.mjs encode   -> 9301a161c4020102
//
// One document per line, one answer per line, in order. A line that fails gives "!" and the error instead,
// so the caller can tell which input it was and the rest of the batch still runs.
//
// The JSON on both sides follows the gateway's JsonMessagePackTranscoder mapping, so the two can be compared:
//   bin  <-> base64 string (encode takes {"$bin":"<base64>"} to produce one)
//   ext  <-> {"$ext":<type>,"data":"<base64>"} (the timestamp type -1 included: no conversion to Date)
//   int64/uint64 keep every digit (BigInt here), NaN and Infinity become null.

import { createInterface } from "node:readline";
import { decode, encode, ExtData, ExtensionCodec } from "@msgpack/msgpack";

// Replacing the built-in timestamp codec keeps ext -1 as raw ExtData, as the gateway's transcoder does.
const extensionCodec = new ExtensionCodec();
extensionCodec.register({ type: -1, encode: () => null, decode: (data, type) => new ExtData(type, data) });
const options = { extensionCodec, useBigInt64: true };

const mode = process.argv[2];
if (mode !== "decode" && mode !== "encode") {
  process.stderr.write("usage: node msgpack-roundtrip.mjs decode|encode < lines\n");
  process.exit(2);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of lines) {
  if (line.length === 0) continue;
  try {
    out.push(mode === "decode" ? toJson(decode(Buffer.from(line, "hex"), options)) : Buffer.from(encode(parseJson(line), options)).toString("hex"));
  } catch (error) {
    out.push("!" + String(error?.message ?? error).replace(/\s+/g, " "));
  }
}
process.stdout.write(out.join("\n") + "\n");

function toJson(value) {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
    case "string":
      return JSON.stringify(value);
  }
  if (value instanceof Uint8Array) return JSON.stringify(base64(value));
  if (value instanceof ExtData) return `{"$ext":${value.type},"data":${JSON.stringify(base64(value.data))}}`;
  if (Array.isArray(value)) return "[" + value.map(toJson).join(",") + "]";
  return "{" + Object.entries(value).map(([key, item]) => JSON.stringify(key) + ":" + toJson(item)).join(",") + "}";
}

function base64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

// JSON.parse turns every number into a double, losing int64 digits. This parser keeps integers beyond the 32-bit
// range as BigInt, which @msgpack/msgpack (useBigInt64) writes as int64/uint64: the widths the gateway must read.
function parseJson(text) {
  let at = 0;
  const value = parseValue();
  skipSpace();
  if (at !== text.length) fail("trailing characters");
  return value;

  function parseValue() {
    skipSpace();
    const c = text[at];
    if (c === "{") return parseObject();
    if (c === "[") return parseArray();
    if (c === '"') return parseString();
    for (const [word, result] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    return parseNumber();
  }

  function parseObject() {
    at++;
    const entries = [];
    skipSpace();
    if (text[at] === "}") {
      at++;
      return tagged(entries);
    }
    for (;;) {
      skipSpace();
      const key = parseString();
      skipSpace();
      expect(":");
      entries.push([key, parseValue()]);
      skipSpace();
      if (text[at] === ",") {
        at++;
        continue;
      }
      expect("}");
      return tagged(entries);
    }
  }

  function tagged(entries) {
    const keys = entries.map(([key]) => key).join(",");
    const get = (name) => entries.find(([key]) => key === name)[1];
    if (keys === "$bin") return new Uint8Array(Buffer.from(get("$bin"), "base64"));
    if (keys === "$ext,data") return new ExtData(Number(get("$ext")), new Uint8Array(Buffer.from(get("data"), "base64")));
    const result = {};
    // defineProperty, because assigning a key named __proto__ would set the prototype instead.
    for (const [key, item] of entries) Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
    return result;
  }

  function parseArray() {
    at++;
    const items = [];
    skipSpace();
    if (text[at] === "]") {
      at++;
      return items;
    }
    for (;;) {
      items.push(parseValue());
      skipSpace();
      if (text[at] === ",") {
        at++;
        continue;
      }
      expect("]");
      return items;
    }
  }

  function parseString() {
    const start = at;
    expect('"');
    while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    expect('"');
    return JSON.parse(text.slice(start, at));
  }

  function parseNumber() {
    const pattern = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) fail("unexpected character");
    at = pattern.lastIndex;
    if (match[1] === undefined && match[2] === undefined) {
      const integer = BigInt(match[0]);
      if (integer > 0xffffffffn || integer < -0x80000000n) return integer;
    }
    return Number(match[0]);
  }

  function skipSpace() {
    while (at < text.length && " \t\r\n".includes(text[at])) at++;
  }

  function expect(c) {
    if (text[at] !== c) fail(`expected '${c}'`);
    at++;
  }

  function fail(message) {
    throw new SyntaxError(`${message} at ${at}`);
  }
}
