import { render } from "preact";
import "../../ui/base.css";
import { ManagerPage } from "../../ui/manager/manager-page";

render(<ManagerPage />, document.getElementById("app") as HTMLElement);
