// PostgreSQL's quote_ident, always quoting: names of scratch databases and configured roles go
// into statements that take no parameters (CREATE DATABASE, CREATE ROLE).

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
