// Helpers shared by the browser pages: the vectors, their options, and reporting to run.mjs.

/** Every vector of test-vectors/cases, sorted by file name. */
export async function loadCases() {
  const names = await (await fetch("/cases.json")).json();
  return Promise.all(names.map(async (n) => (await fetch(`/test-vectors/cases/${n}`)).json()));
}

export const nowOf = (c) => Date.parse(c.clock) / 1000;

export function base64Bytes(b64) {
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

/** The verification options of a vector, as the Node tests build them. */
export function optionsOf(c) {
  const o = { skewSeconds: c.skew_seconds };
  if (c.input.policy) {
    o.policy = c.input.policy.name;
    o.policies = JSON.stringify([c.input.policy]);
  }
  if (c.input.challenge !== undefined) o.challenge = c.input.challenge;
  if (c.status_lists) o.statusLists = c.status_lists.map((l) => base64Bytes(l.base64));
  return o;
}

/** Writes the result into the page and sends it to run.mjs. */
export async function report(result) {
  const json = JSON.stringify(result);
  document.getElementById("result").textContent = json;
  await fetch("/result", { method: "POST", body: json });
}
