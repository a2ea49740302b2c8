// Line icons (inline SVG: no icon font, nothing fetched, nothing the CSP has to allow). Their
// drawing is data in icon-shapes.ts, which the first screen painted before React draws too.
import { createElement, type ReactElement } from 'react';
import { ICON_SHAPES, ICON_VIEWBOX, LOGO_SHAPES, LOGO_VIEWBOX, type IconName, type SvgShape } from './icon-shapes.ts';

function shapesOf(shapes: readonly SvgShape[]): ReactElement[] {
  return shapes.map(([tag, { class: className, ...attributes }], index) => createElement(tag, { key: index, className, ...attributes }));
}

function Icon({ shapes }: { shapes: readonly SvgShape[] }) {
  return (
    <svg viewBox={ICON_VIEWBOX} className="icon" aria-hidden="true">
      {shapesOf(shapes)}
    </svg>
  );
}

export const icons = Object.fromEntries(Object.entries(ICON_SHAPES).map(([name, shapes]) => [name, <Icon key={name} shapes={shapes} />])) as Record<IconName, ReactElement>;

export function Logo() {
  return (
    <svg viewBox={LOGO_VIEWBOX} className="logo" aria-hidden="true">
      {shapesOf(LOGO_SHAPES)}
    </svg>
  );
}
