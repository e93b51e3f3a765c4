// RFC 6901 JSON pointers: where in a response a probe looks.

export type PointerLookup =
  { readonly found: true; readonly value: unknown } | { readonly found: false };

export function lookupPointer(document: unknown, pointer: string): PointerLookup {
  if (pointer === "") return { found: true, value: document };
  if (!pointer.startsWith("/")) return { found: false };
  let node: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(token) && Number(token) < node.length)
      node = node[Number(token)];
    else if (
      node !== null &&
      typeof node === "object" &&
      !Array.isArray(node) &&
      Object.hasOwn(node, token)
    )
      node = (node as Record<string, unknown>)[token];
    else return { found: false };
  }
  return { found: true, value: node };
}
