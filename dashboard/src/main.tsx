import { render } from "preact";
import { App } from "./app.js";

const root = document.getElementById("app")!;
root.textContent = ""; // the page's "Loading…" until this script ran
render(<App />, root);
