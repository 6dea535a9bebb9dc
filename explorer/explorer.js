// graphql-fcgi explorer: edit, run, browse the schema, sign in through the API's own login mutation.
import { highlightGraphQL, highlightJSON, prettifyGraphQL } from "./highlight.js";

const $ = (id) => document.getElementById(id);
const endpoint = new URL(location.pathname, location.origin).href;
const HISTORY_KEY = "graphql-fcgi.explorer.history";
const TOKEN_KEY = "graphql-fcgi.explorer.session-token";

const INTROSPECTION = `query ExplorerSchema {
  __schema {
    queryType { name } mutationType { name }
    types { name kind description
      fields { name description args { name type { ...TypeRef } } type { ...TypeRef } }
      inputFields { name type { ...TypeRef } }
      enumValues { name } } } }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

/** Sends one GraphQL request with the editor's headers plus the session token, if signed in here. */
async function send(query, variables = {}, extraHeaders = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json;q=0.9",
    ...extraHeaders };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && !("X-Session-Token" in headers)) headers["X-Session-Token"] = token;
  const started = performance.now();
  const response = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify({ query, variables }),
    credentials: "same-origin" });
  const text = await response.text();
  let body;
  try { body = JSON.parse(text); } catch { body = { raw: text }; }
  return { status: response.status, statusText: response.statusText, body, milliseconds: performance.now() - started };
}

function parseJSONField(id, label) {
  const text = $(id).value.trim();
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch { /* reported below */ }
  throw new Error(`${label} must be a JSON object`);
}

// Editor: a transparent textarea over a highlighted <pre>, scrolled together.
function renderEditor() {
  $("query-highlight").innerHTML = highlightGraphQL($("query").value);
}
function syncScroll() {
  const pre = $("query-highlight").parentElement;
  pre.scrollTop = $("query").scrollTop;
  pre.scrollLeft = $("query").scrollLeft;
}

async function run() {
  const query = $("query").value;
  let variables, headers;
  try {
    variables = parseJSONField("variables", "Variables");
    headers = parseJSONField("headers", "Request headers");
  } catch (error) {
    showStatus(error.message, true);
    return;
  }
  showStatus("Running…");
  try {
    const result = await send(query, variables, headers);
    $("result").innerHTML = highlightJSON(result.body);
    showStatus(`${result.status} ${result.statusText}`, result.status >= 400 || Boolean(result.body.errors));
    $("timing").textContent = `${result.milliseconds.toFixed(0)} ms`;
    remember(query);
  } catch (error) {
    showStatus(`Request failed: ${error.message}`, true);
  }
}

function showStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

// History: the last 25 distinct queries, kept in this browser.
function loadHistory() {
  try { return JSON.parse(localStorage.getItem(HISTORY_KEY)) ?? []; } catch { return []; }
}
function remember(query) {
  const history = [query, ...loadHistory().filter((item) => item !== query)].slice(0, 25);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  renderHistory();
}
function renderHistory() {
  const list = $("history");
  list.replaceChildren(...loadHistory().map((query) => {
    const item = document.createElement("li");
    item.textContent = query.replace(/\s+/g, " ");
    item.title = query;
    item.addEventListener("click", () => { $("query").value = query; renderEditor(); });
    return item;
  }));
}

// Schema browser, from introspection.
function typeName(ref) {
  if (!ref) return "";
  if (ref.kind === "NON_NULL") return `${typeName(ref.ofType)}!`;
  if (ref.kind === "LIST") return `[${typeName(ref.ofType)}]`;
  return ref.name;
}
async function loadSchema() {
  const panel = $("schema");
  try {
    const { body } = await send(INTROSPECTION);
    if (!body.data?.__schema) {
      const message = body.errors?.[0]?.message ?? "no schema returned";
      panel.innerHTML = "";
      const notice = document.createElement("p");
      notice.className = "notice";
      notice.textContent = `Introspection is off on this server (${message}). Queries still run.`;
      panel.append(notice);
      return;
    }
    const schema = body.data.__schema;
    const roots = [schema.queryType?.name, schema.mutationType?.name].filter(Boolean);
    const rank = (type) => (roots.includes(type.name) ? roots.indexOf(type.name) : roots.length);
    const types = schema.types.filter((type) => !type.name.startsWith("__") && type.kind !== "SCALAR")
      .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    const list = document.createElement("ul");
    for (const type of types) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "type";
      name.textContent = `${type.name}`;
      const members = document.createElement("ul");
      members.hidden = !roots.includes(type.name);
      for (const field of type.fields ?? type.inputFields ?? []) {
        const member = document.createElement("li");
        const args = (field.args ?? []).map((arg) => `${arg.name}: ${typeName(arg.type)}`).join(", ");
        member.innerHTML = `<span class="field"></span><span class="signature"></span>`;
        member.firstChild.textContent = field.name;
        member.lastChild.textContent = `${args ? `(${args})` : ""}: ${typeName(field.type)}`;
        if (field.description) member.title = field.description;
        members.append(member);
      }
      for (const value of type.enumValues ?? []) {
        const member = document.createElement("li");
        member.textContent = value.name;
        members.append(member);
      }
      name.addEventListener("click", () => { members.hidden = !members.hidden; });
      item.append(name, members);
      list.append(item);
    }
    panel.replaceChildren(list);
  } catch (error) {
    panel.textContent = `Could not load the schema: ${error.message}`;
  }
}

// Signing in with the API's own `login` mutation; the token then goes out as X-Session-Token. An account with a
// second factor answers `me` with SECOND_FACTOR_REQUIRED: the page then asks for the app's code (loginSecondFactor).
async function refreshAccount() {
  const { body } = await send("{ me { email } }").catch(() => ({ body: {} }));
  const email = body.data?.me?.email ?? (typeof body.data?.me === "string" ? body.data.me : null);
  const secondFactor = !email && body.errors?.some((error) => error.extensions?.code === "SECOND_FACTOR_REQUIRED");
  $("sign-in").hidden = Boolean(email) || secondFactor;
  $("forgot").hidden = Boolean(email) || secondFactor;
  $("second-factor").hidden = !secondFactor;
  $("signed-in").hidden = !email;
  $("who").textContent = email ? `Signed in as ${email}` : "";
}
// Account recovery with the API's own mutations: a code by mail (requestRecoveryCode), then the code and a new
// password (recoverAccount), which signs in.
function showRecovery() {
  $("sign-in").hidden = true;
  $("forgot").hidden = true;
  $("recovery").hidden = false;
  $("recovery-email").value = $("identifier").value;
}
async function recover(event) {
  event.preventDefault();
  $("account-message").textContent = "";
  const email = $("recovery-email").value;
  if ($("recovery-code").hidden) {
    const { body } = await send("mutation ExplorerRecoveryCode($email: String!) { requestRecoveryCode(email: $email) }", { email });
    if (!body.data?.requestRecoveryCode) {
      $("account-message").textContent = body.errors?.[0]?.message ?? "Could not send a code";
      return;
    }
    $("recovery-code").hidden = $("recovery-password").hidden = false;
    $("recovery-code").required = $("recovery-password").required = true;
    $("recovery-submit").textContent = "Set password";
    $("account-message").textContent = "If an account has this address, a code is on its way";
    return;
  }
  const { body } = await send("mutation ExplorerRecover($email: String!, $code: String!, $password: String!) { recoverAccount(email: $email, code: $code, newPassword: $password) { sessionToken } }",
    { email, code: $("recovery-code").value, password: $("recovery-password").value });
  $("recovery-password").value = "";
  const token = body.data?.recoverAccount?.sessionToken;
  if (!token) {
    $("account-message").textContent = body.errors?.[0]?.message ?? "Recovery failed";
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("recovery").hidden = true;
  $("recovery-code").hidden = $("recovery-password").hidden = true;
  $("recovery-code").required = $("recovery-password").required = false;
  $("recovery-submit").textContent = "Send code";
  $("forgot").hidden = false;
  $("account-message").textContent = "";
  await refreshAccount();
}
async function verifySecondFactor(event) {
  event.preventDefault();
  $("account-message").textContent = "";
  const { body } = await send("mutation ExplorerSecondFactor($code: String!) { loginSecondFactor(code: $code) { sessionToken } }",
    { code: $("totp-code").value });
  $("totp-code").value = "";
  if (!body.data?.loginSecondFactor?.sessionToken) {
    $("account-message").textContent = body.errors?.[0]?.message ?? "The code was refused";
    return;
  }
  await refreshAccount();
}
async function signIn(event) {
  event.preventDefault();
  $("account-message").textContent = "";
  const { body } = await send("mutation ExplorerLogin($identifier: String!, $password: String!) { login(identifier: $identifier, password: $password) { sessionToken } }",
    { identifier: $("identifier").value, password: $("password").value });
  const token = body.data?.login?.sessionToken;
  if (!token) {
    $("account-message").textContent = body.errors?.[0]?.message ?? "Sign-in failed";
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("password").value = "";
  await refreshAccount();
}
async function signOut() {
  await send("mutation ExplorerLogout { logout }").catch(() => {});
  sessionStorage.removeItem(TOKEN_KEY);
  await refreshAccount();
}

$("endpoint").textContent = endpoint;
$("query").addEventListener("input", renderEditor);
$("query").addEventListener("scroll", syncScroll);
$("query").addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { event.preventDefault(); run(); }
  if (event.key === "Tab") {
    event.preventDefault();
    const { selectionStart: start, selectionEnd: end, value } = event.target;
    event.target.value = `${value.slice(0, start)}  ${value.slice(end)}`;
    event.target.selectionStart = event.target.selectionEnd = start + 2;
    renderEditor();
  }
});
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && event.target !== $("query")) { event.preventDefault(); run(); }
});
$("run").addEventListener("click", run);
$("prettify").addEventListener("click", () => { $("query").value = prettifyGraphQL($("query").value); renderEditor(); });
$("sign-in").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("second-factor").addEventListener("submit", verifySecondFactor);
$("forgot").addEventListener("click", showRecovery);
$("recovery").addEventListener("submit", recover);
renderEditor();
renderHistory();
loadSchema();
refreshAccount();
