// Builds DOM nodes. Text is only ever set through textContent / createTextNode, never innerHTML,
// so whatever the API returns (repository names, log messages, findings) renders as inert text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('a', {href: '/x', class: 'c', onclick: fn, dataset: {k: 'v'}}, 'text', child, [more])
 * Attribute values go through setAttribute (never parsed as HTML); strings/numbers become text nodes.
 */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** Same as h() for SVG elements. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'dataset') {
        for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
      } else if (key === 'style') {
        // Through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' still allows.
        el.style.cssText = String(value);
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Announces a message to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A separate task so repeated identical messages are announced again.
  setTimeout(() => { region.textContent = message; }, 30);
}
