import { clone, createFileRegistry, type DescField, type DescFile, type DescMessage, type DescMethod, type DescService, ScalarType } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  FeatureSet_FieldPresence,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { structWireProblem } from "../../capture/struct-wire-check.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import { reachesType, structTypeName } from "../contract/holds-struct.js";
import { createFlatReader, type FlatMessage, joinStructParts, WireError } from "./flat-message-reader.js";

type Request = Record<string, unknown>;

export interface BinaryView {
  /** The service as the view declares it (same names, so the same request paths). */
  service: DescService;
  /** The methods binary requests reach through the view. */
  served: ViewMethod[];
  /** The methods binary requests reach through the real schema, and why. */
  generic: Array<{ method: DescMethod; reason: string }>;
}

export interface ViewMethod {
  /** The method as the view declares it. */
  method: DescMethod;
  /**
   * Turns a request the view's schema decoded into the one the real schema
   * decodes (Structs as their wire bytes), or throws InvalidInputError where
   * protobuf-es would have refused the request.
   */
  read(req: Request): Request;
}

/**
 * The same service with each google.protobuf.Struct field of our own messages
 * read as `repeated bytes`. On the wire a message field and a bytes field are
 * the same length-delimited run, so binary clients (gRPC, gRPC-Web, Connect
 * proto) see no difference; the server gets the Struct's bytes untouched and
 * turns them into JSON text in one pass (capture/struct-wire-json.ts) instead of
 * building a message per value. Repeated, because a message field sent twice is
 * merged, and joining the occurrences' bytes is that merge. Lists of flat
 * messages (strings, bytes and Structs, as Event) in requests are read as lists
 * of bytes too, each item decoded by flat-message-reader.ts. JSON requests keep
 * the real schema.
 *
 * It reads what protobuf-es's generic decoder reads, refusing what it refuses
 * (invalid UTF-8 anywhere, a malformed Struct, Structs nested past its recursion
 * limit), with two exceptions: a `__proto__` Struct key, which protobuf-es drops,
 * is refused; and a length that runs past the end of the event or Struct holding
 * it, which protobuf-es checks against the end of the whole request only (and so
 * reads on across the boundary), refuses the request. test/server/binary-view.test.ts
 * compares the two on random and malformed requests.
 *
 * Served per method: a method whose response holds a message the view declares
 * differently, or whose request holds one where the view cannot turn it back,
 * is left to the real schema, and listed in `generic` with the reason (the app
 * logs it at start-up).
 */
export function binaryViewOf(service: DescService): BinaryView {
  const originals = new Map<string, DescFile>();
  const collect = (file: DescFile) => {
    if (originals.has(file.name)) return;
    originals.set(file.name, file);
    file.dependencies.forEach(collect);
  };
  collect(service.file);
  const own = [...originals.values()].filter((f) => !f.proto.package.startsWith("google."));
  const protos = new Map(own.map((f) => [f.proto.name, clone(FileDescriptorProtoSchema, f.proto)]));
  const protoOf = messageProtos(protos.values());

  // What the view declares differently: per message, the field numbers.
  const structs = new Map<string, Set<number>>();
  const lists = new Map<string, Set<number>>();
  for (const m of own.flatMap((f) => f.messages.flatMap(withNested))) {
    for (const f of m.fields) if (isStructField(f)) mark(structs, protoOf, m, f);
  }
  for (const method of service.methods) {
    for (const f of method.input.fields) {
      if (f.fieldKind === "list" && f.listKind === "message" && protoOf.has(f.message.typeName) && isFlat(f.message)) {
        mark(lists, protoOf, method.input, f);
      }
    }
  }
  const changed = new Set([...structs.keys(), ...lists.keys()]);
  const registry =
    changed.size === 0
      ? undefined
      : createFileRegistry(protos.get(service.file.proto.name)!, (name) => protos.get(name) ?? [...originals.values()].find((f) => f.proto.name === name));
  const viewService = registry?.getService(service.typeName) ?? service;

  const view: BinaryView = { service: viewService, served: [], generic: [] };
  for (const method of service.methods) {
    const plan = planOf(method, changed, structs, lists);
    if (typeof plan === "string") view.generic.push({ method, reason: plan });
    else {
      const viewMethod = viewService.methods.find((m) => m.name === method.name)!;
      const viewMessage = (typeName: string) => registry?.getMessage(typeName);
      view.served.push({ method: viewMethod, read: requestReader(method.input, plan, structs, viewMessage) });
    }
  }
  return view;
}

interface Plan {
  structs: DescField[];
  lists: DescField[];
}

/** Which fields of the request the view reads differently, or why it cannot serve the method. */
function planOf(method: DescMethod, changed: Set<string>, structs: Map<string, Set<number>>, lists: Map<string, Set<number>>): Plan | string {
  if (reachesType(method.output, changed)) return "its response holds a message the view declares differently (responses use the real schema)";
  const plan: Plan = { structs: [], lists: [] };
  for (const f of method.input.fields) {
    if (structs.get(method.input.typeName)?.has(f.number)) plan.structs.push(f);
    else if (lists.get(method.input.typeName)?.has(f.number)) plan.lists.push(f);
    else if (f.message && reachesType(f.message, changed)) return `its request field ${f.name} holds a message the view declares differently`;
  }
  return plan.structs.length + plan.lists.length > 0 ? plan : "nothing in its request is read differently";
}

// A request is message 1 to protobuf-es's recursion count; its fields' messages 2, a list item's 3.
const requestDepth = 1;

function requestReader(
  input: DescMessage,
  plan: Plan,
  structs: Map<string, Set<number>>,
  viewMessage: (typeName: string) => DescMessage | undefined,
): (req: Request) => Request {
  const own = plan.structs.map((f) => ({ localName: f.localName, jsonName: f.jsonName }));
  const lists = plan.lists.map((f) => {
    const item = f.message && viewMessage(f.message.typeName);
    const numbers = structs.get(f.message?.typeName ?? "") ?? new Set<number>();
    const read = item && createFlatReader(item, { numbers, problem: (bytes) => structWireProblem(bytes, requestDepth + 2) });
    if (!read) throw new Error(`binary view: cannot read ${input.typeName}.${f.name}`);
    return { localName: f.localName, jsonName: f.jsonName, read };
  });
  return (req) => {
    for (const s of own) req[s.localName] = joinedStruct(req[s.localName] as Uint8Array[], s.jsonName, requestDepth + 1);
    for (const l of lists) req[l.localName] = (req[l.localName] as Uint8Array[]).map((bytes, i) => readItem(l, bytes, i));
    return req;
  };
}

function joinedStruct(parts: Uint8Array[], jsonName: string, depth: number): Uint8Array | undefined {
  return joinStructParts(parts, (p) => {
    const problem = structWireProblem(p, depth);
    if (problem !== undefined) throw new InvalidInputError(jsonName, problem);
  });
}

function readItem(l: { jsonName: string; read: (bytes: Uint8Array) => FlatMessage }, bytes: Uint8Array, i: number): FlatMessage {
  try {
    return l.read(bytes);
  } catch (e) {
    // The whole request is refused, as protobuf-es would have refused it.
    if (e instanceof WireError) throw new InvalidInputError(`${l.jsonName}[${i}].${e.field}`, e.reason);
    throw new InvalidInputError(`${l.jsonName}[${i}]`, "is not a valid protobuf message");
  }
}

const isStructField = (f: DescField) => f.fieldKind === "message" && f.message.typeName === structTypeName && f.oneof === undefined && !f.delimitedEncoding;

/** Every field a string or bytes (implicit presence: "" when absent, as the flat reader gives) or a Struct. */
const isFlat = (m: DescMessage) =>
  m.fields.length > 0 &&
  m.fields.every((f) =>
    f.fieldKind === "scalar"
      ? (f.scalar === ScalarType.STRING || f.scalar === ScalarType.BYTES) && f.oneof === undefined && f.presence === FeatureSet_FieldPresence.IMPLICIT
      : isStructField(f),
  );

/** Declares m's field f as `repeated bytes` in the view, and notes it. */
function mark(marks: Map<string, Set<number>>, protoOf: Map<string, DescriptorProto>, m: DescMessage, f: DescField) {
  const proto = protoOf.get(m.typeName)?.field.find((x) => x.number === f.number);
  if (!proto) return;
  proto.label = FieldDescriptorProto_Label.REPEATED;
  proto.type = FieldDescriptorProto_Type.BYTES;
  proto.typeName = "";
  if (!marks.has(m.typeName)) marks.set(m.typeName, new Set());
  marks.get(m.typeName)!.add(f.number);
}

function messageProtos(files: Iterable<FileDescriptorProto>): Map<string, DescriptorProto> {
  const out = new Map<string, DescriptorProto>();
  const visit = (prefix: string, messages: DescriptorProto[]) => {
    for (const m of messages) {
      const name = prefix ? `${prefix}.${m.name}` : m.name;
      out.set(name, m);
      visit(name, m.nestedType);
    }
  };
  for (const p of files) visit(p.package, p.messageType);
  return out;
}

const withNested = (m: DescMessage): DescMessage[] => [m, ...m.nestedMessages.flatMap(withNested)];
