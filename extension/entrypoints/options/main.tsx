import { render } from "preact";
import "../../ui/base.css";
import { OptionsPage } from "../../ui/options-page";

render(<OptionsPage />, document.getElementById("app") as HTMLElement);
