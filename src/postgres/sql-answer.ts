// What a sql probe's query gave, in a module of its own so that the declarations the package
// ships never import node-postgres's types (a user does not have @types/pg).
export type SQLAnswer =
  | { readonly ok: true; readonly rows: unknown[][] }
  | { readonly ok: false; readonly error: string };
