import { render } from "preact";
import "../../ui/base.css";
import { PopupPage } from "../../ui/popup-page";

render(<PopupPage />, document.getElementById("app") as HTMLElement);
