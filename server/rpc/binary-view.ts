import { clone, createFileRegistry, type DescFile, type DescService } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { holdsStruct, structTypeName } from "../contract/holds-struct.js";
import { createFlatReader } from "./flat-message-reader.js";

export interface BinaryView {
  service: DescService;
  /** Per input message type name: its lists read as bytes, and how to read each item. */
  lists: Map<string, Array<{ localName: string; jsonName: string; read: (bytes: Uint8Array) => unknown }>>;
}

const structType = `.${structTypeName}`;

/**
 * The same service with every google.protobuf.Struct field of our own messages
 * read as `bytes`. On the wire a message field and a bytes field are the same
 * length-delimited run, so binary clients (gRPC, gRPC-Web, Connect proto) see
 * no difference; the server gets the Struct's bytes untouched and turns them
 * into JSON text in one pass (capture/struct-wire-json.ts) instead of building
 * a message per value. Lists of flat messages (every field a string or bytes,
 * as Event is then) are read as lists of bytes too, each item decoded by
 * flat-message-reader.ts. JSON requests keep the real schema.
 * Differences from protobuf-es's reader, none of which lets bad input through:
 * invalid UTF-8 in a string becomes U+FFFD, which the validator refuses for that
 * event (protobuf-es refused the whole request); a Struct sent twice for one
 * event keeps the last instead of merging the two.
 * Returns undefined when the service has no such field.
 */
export function binaryViewOf(service: DescService): BinaryView | undefined {
  const originals = new Map<string, DescFile>();
  const collect = (file: DescFile) => {
    if (originals.has(file.name)) return;
    originals.set(file.name, file);
    file.dependencies.forEach(collect);
  };
  collect(service.file);
  const rewritten = new Map<string, FileDescriptorProto>();
  const own = [...originals.values()].filter((f) => !f.proto.package.startsWith("google."));
  const protos = own.map((f) => clone(FileDescriptorProtoSchema, f.proto));
  const changed = new Set(protos.filter(structFieldsToBytes));
  const inputs = new Set(service.methods.map((m) => m.input.typeName));
  const flat = new Set(protos.flatMap((p) => p.messageType.filter(isFlat).map((m) => `.${p.package}.${m.name}`)));
  const lists: Array<{ owner: string; field: string; item: string }> = [];
  for (const p of protos) {
    for (const m of p.messageType) {
      for (const f of m.field) {
        if (f.label !== FieldDescriptorProto_Label.REPEATED || !flat.has(f.typeName) || !inputs.has(`${p.package}.${m.name}`)) continue;
        lists.push({ owner: `${p.package}.${m.name}`, field: f.name, item: f.typeName.slice(1) });
        f.type = FieldDescriptorProto_Type.BYTES;
        f.typeName = "";
        changed.add(p);
      }
    }
  }
  for (const p of changed) rewritten.set(p.name, p);
  if (rewritten.size === 0 || service.methods.some((m) => holdsStruct(m.output))) return undefined; // responses keep the real schema

  const resolve = (protoName: string): FileDescriptorProto | DescFile | undefined =>
    rewritten.get(protoName) ?? [...originals.values()].find((f) => f.proto.name === protoName);
  const root = rewritten.get(service.file.proto.name) ?? service.file.proto;
  const registry = createFileRegistry(root, resolve);
  const view: BinaryView = { service: registry.getService(service.typeName)!, lists: new Map() };
  for (const l of lists) {
    const owner = registry.getMessage(l.owner);
    const item = registry.getMessage(l.item);
    const read = item && createFlatReader(item);
    const field = owner?.fields.find((f) => f.name === l.field);
    if (!owner || !read || !field) throw new Error(`binary view: cannot read ${l.owner}.${l.field}`);
    view.lists.set(l.owner, [...(view.lists.get(l.owner) ?? []), { localName: field.localName, jsonName: field.jsonName, read }]);
  }
  return view;
}

const isFlat = (m: FileDescriptorProto["messageType"][number]) =>
  m.field.length > 0 &&
  m.nestedType.length === 0 &&
  m.field.every(
    (f) => f.label !== FieldDescriptorProto_Label.REPEATED && (f.type === FieldDescriptorProto_Type.STRING || f.type === FieldDescriptorProto_Type.BYTES),
  );

function structFieldsToBytes(file: FileDescriptorProto): boolean {
  let changed = false;
  const visit = (messages: FileDescriptorProto["messageType"]) => {
    for (const m of messages) {
      for (const f of m.field) {
        if (f.typeName !== structType) continue;
        f.type = FieldDescriptorProto_Type.BYTES;
        f.typeName = "";
        changed = true;
      }
      visit(m.nestedType);
    }
  };
  visit(file.messageType);
  return changed;
}
