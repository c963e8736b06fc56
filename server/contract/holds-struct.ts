import type { DescField, DescMessage } from "@bufbuild/protobuf";

export const structTypeName = "google.protobuf.Struct";

/** Whether `m` is, or holds at any depth through the fields `follow` accepts, a google.protobuf.Struct. */
export function holdsStruct(m: DescMessage, follow: (f: DescField) => boolean = () => true): boolean {
  return reachesType(m, new Set([structTypeName]), follow);
}

/** Whether `m` is, or holds at any depth through the fields `follow` accepts, a message named in `typeNames`. */
export function reachesType(
  m: DescMessage,
  typeNames: ReadonlySet<string>,
  follow: (f: DescField) => boolean = () => true,
  seen = new Set<DescMessage>(),
): boolean {
  if (typeNames.has(m.typeName)) return true;
  if (seen.has(m)) return false;
  seen.add(m);
  return m.fields.some((f) => f.message !== undefined && follow(f) && reachesType(f.message, typeNames, follow, seen));
}
