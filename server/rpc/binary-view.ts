import { clone, createFileRegistry, type DescFile, type DescService } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";

const structType = ".google.protobuf.Struct";

/**
 * The same service with every google.protobuf.Struct field of our own messages
 * read as `bytes`. On the wire a message field and a bytes field are the same
 * length-delimited run, so binary clients (gRPC, gRPC-Web, Connect proto) see
 * no difference; the server gets the Struct's bytes untouched and turns them
 * into JSON text in one pass (capture/struct-wire-json.ts) instead of building
 * a message per value. JSON requests keep the real schema.
 * Returns undefined when the service has no such field.
 */
export function binaryViewOf(service: DescService): DescService | undefined {
  const originals = new Map<string, DescFile>();
  const collect = (file: DescFile) => {
    if (originals.has(file.name)) return;
    originals.set(file.name, file);
    file.dependencies.forEach(collect);
  };
  collect(service.file);
  const rewritten = new Map<string, FileDescriptorProto>();
  for (const [name, file] of originals) {
    if (file.proto.package.startsWith("google.")) continue;
    const proto = clone(FileDescriptorProtoSchema, file.proto);
    if (structFieldsToBytes(proto)) rewritten.set(file.proto.name, proto);
  }
  if (rewritten.size === 0) return undefined;
  const resolve = (protoName: string): FileDescriptorProto | DescFile | undefined =>
    rewritten.get(protoName) ?? [...originals.values()].find((f) => f.proto.name === protoName);
  const root = rewritten.get(service.file.proto.name) ?? service.file.proto;
  return createFileRegistry(root, resolve).getService(service.typeName);
}

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
