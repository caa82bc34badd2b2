import { render } from "preact";
import "../../ui/base.css";
import { startManager } from "../../ui/manager/startup";

// The collection opens and Browse's first page is read while the page's code loads; the page renders when both are
// there.
const start = startManager(location.hash);
void Promise.all([import("../../ui/manager/manager-page"), start]).then(([{ ManagerPage }, first]) => {
  render(<ManagerPage start={first} />, document.getElementById("app") as HTMLElement);
});
