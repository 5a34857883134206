// Start the NHS.UK frontend components; htmx is loaded separately.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();

// Send the CSRF token with every htmx request that changes state.
document.body.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.content;
  }
});
