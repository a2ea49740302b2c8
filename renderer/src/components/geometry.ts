// Geometry that is only known at run time (virtual row offsets, list heights) is set through the
// CSSOM (element.style), which the page's CSP (style-src 'self') allows, unlike style attributes in
// markup. One helper, so no component sets styles ad hoc.
import { useLayoutEffect, type RefObject } from 'react';

export function setStyle(element: HTMLElement | null, properties: Record<string, string>): void {
  if (!element) return;
  for (const [name, value] of Object.entries(properties)) element.style.setProperty(name, value);
}

export function useStyle(ref: RefObject<HTMLElement | null>, properties: Record<string, string>): void {
  const key = JSON.stringify(properties);
  useLayoutEffect(() => {
    setStyle(ref.current, JSON.parse(key) as Record<string, string>);
  }, [ref, key]);
}
