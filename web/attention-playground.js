// <attention-playground>: the playground as a custom element for any page. This file keeps the
// widget's URL at the site root; the element itself is widget/element.js (its attributes, events
// and methods are described there and in the README).
import { AttentionPlaygroundElement, configureCore } from './widget/element.js';

export { AttentionPlaygroundElement, configureCore };
