// Chrome's card frame: a manifest sandbox page (card.html), with the sandbox policy of wxt.config.ts.
import { runCardFrame } from "../../lib/card-frame/run";

runCardFrame();
