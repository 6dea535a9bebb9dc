// Syntax highlighting for GraphQL and JSON: tokenizers that return HTML with escaped text in <span class="t-…">.

const escapeHTML = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const span = (kind, text) => `<span class="t-${kind}">${escapeHTML(text)}</span>`;

const KEYWORDS = new Set(["query", "mutation", "subscription", "fragment", "on", "true", "false", "null",
  "type", "input", "enum", "interface", "union", "scalar", "schema", "extend", "directive", "implements", "repeatable"]);

// Ordered: the first pattern that matches at the current position wins.
const GRAPHQL_TOKENS = [
  ["comment", /#[^\n\r]*/y],
  ["string", /"""[\s\S]*?(?:"""|$)|"(?:\\.|[^"\\\n])*"?/y],
  ["variable", /\$[_A-Za-z][_0-9A-Za-z]*/y],
  ["keyword", /@[_A-Za-z][_0-9A-Za-z]*/y],
  ["number", /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
  ["name", /[_A-Za-z][_0-9A-Za-z]*/y],
  ["punct", /\.\.\.|[{}()[\]:=!|&,]/y],
  ["space", /\s+/y],
];

/** GraphQL source as highlighted HTML. Names followed by `(`, `{` or nothing special are fields. */
export function highlightGraphQL(source) {
  let html = "";
  let position = 0;
  while (position < source.length) {
    let matched = false;
    for (const [kind, pattern] of GRAPHQL_TOKENS) {
      pattern.lastIndex = position;
      const match = pattern.exec(source);
      if (!match || match[0].length === 0) continue;
      const text = match[0];
      if (kind === "space") html += escapeHTML(text);
      else if (kind === "name") html += span(KEYWORDS.has(text) ? "keyword" : /^[A-Z]/.test(text) ? "name" : "field", text);
      else html += span(kind, text);
      position += text.length;
      matched = true;
      break;
    }
    if (!matched) {
      html += escapeHTML(source[position]);
      position += 1;
    }
  }
  // A trailing newline needs content after it, or the <pre> is one line shorter than the textarea.
  return html + "\n";
}

/** A JSON value, pretty-printed and highlighted. */
export function highlightJSON(value) {
  const text = JSON.stringify(value, null, 2) ?? "";
  return text.replace(/("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([^"\w-]+|\w+)/g,
    (all, string, colon, literal, number, other) => {
      if (string) return colon ? span("key", string) + escapeHTML(colon) : span("string", string);
      if (literal) return span("literal", literal);
      if (number) return span("number", number);
      return escapeHTML(all);
    });
}

/** Re-indents a GraphQL document: two spaces per `{` level, one selection per line. Strings and comments are kept. */
export function prettifyGraphQL(source) {
  let out = "";
  let depth = 0;
  let position = 0;
  const newline = () => { out = out.replace(/[ \t]+$/, "") + "\n" + "  ".repeat(depth); };
  while (position < source.length) {
    const rest = source.slice(position);
    const literal = /^("""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*)/.exec(rest);
    if (literal) {
      out += literal[0];
      position += literal[0].length;
      if (literal[0].startsWith("#")) newline();
      continue;
    }
    const c = source[position];
    position += 1;
    if (c === "{") { out = out.replace(/\s*$/, "") + " {"; depth += 1; newline(); }
    else if (c === "}") { depth = Math.max(0, depth - 1); newline(); out += "}"; newline(); }
    else if (c === "\n" || c === ",") { if (!/\n\s*$/.test(out)) newline(); }
    else if (/\s/.test(c)) { if (!/\s$/.test(out)) out += " "; }
    else out += c;
  }
  return out.replace(/\n\s*\n/g, "\n").trim() + "\n";
}
