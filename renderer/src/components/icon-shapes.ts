// The icons' drawing as data, stated once: icons.tsx turns it into React elements, and the first
// screen painted before React loads (first-screen.ts) into DOM nodes, so both draw the same lines.
export type SvgShape = readonly [tag: 'rect' | 'path' | 'circle' | 'ellipse', attributes: Readonly<Record<string, string>>];

export const ICON_VIEWBOX = '0 0 20 20';

export const ICON_SHAPES = {
  dashboard: [
    ['rect', { x: '3', y: '3', width: '6', height: '8', rx: '1.5' }],
    ['rect', { x: '11', y: '3', width: '6', height: '5', rx: '1.5' }],
    ['rect', { x: '11', y: '10', width: '6', height: '7', rx: '1.5' }],
    ['rect', { x: '3', y: '13', width: '6', height: '4', rx: '1.5' }],
  ],
  connections: [
    ['ellipse', { cx: '10', cy: '5', rx: '6', ry: '2.5' }],
    ['path', { d: 'M4 5v10c0 1.4 2.7 2.5 6 2.5s6-1.1 6-2.5V5' }],
    ['path', { d: 'M4 10c0 1.4 2.7 2.5 6 2.5s6-1.1 6-2.5' }],
  ],
  backups: [
    ['rect', { x: '3', y: '4', width: '14', height: '4', rx: '1' }],
    ['path', { d: 'M4 8v7.5a1 1 0 0 0 1 1h10a1 1 0 0 0 1-1V8' }],
    ['path', { d: 'M8 11.5h4' }],
  ],
  schedules: [
    ['circle', { cx: '10', cy: '10', r: '7' }],
    ['path', { d: 'M10 6v4l2.5 2' }],
  ],
  destinations: [['path', { d: 'M5.5 14.5a3.5 3.5 0 0 1-.4-7 5 5 0 0 1 9.6 1.2 3 3 0 0 1-.2 5.8z' }]],
  activity: [['path', { d: 'M2.5 10h3l2-5 4 10 2-5h4' }]],
  settings: [
    ['circle', { cx: '10', cy: '10', r: '2.5' }],
    ['path', { d: 'M10 2.5v2M10 15.5v2M17.5 10h-2M4.5 10h-2M15.3 4.7l-1.4 1.4M6.1 13.9l-1.4 1.4M15.3 15.3l-1.4-1.4M6.1 6.1L4.7 4.7' }],
  ],
  play: [['path', { d: 'M10 3v10M6 9l4 4 4-4M4 16h12' }]],
  restore: [
    ['path', { d: 'M4 10a6 6 0 1 0 2-4.5' }],
    ['path', { d: 'M4 3v3.5h3.5' }],
  ],
  check: [['path', { d: 'M4.5 10.5l3.5 3.5 7.5-8' }]],
  cross: [['path', { d: 'M5 5l10 10M15 5L5 15' }]],
  plus: [['path', { d: 'M10 4v12M4 10h12' }]],
  refresh: [
    ['path', { d: 'M16 10a6 6 0 1 1-2-4.5' }],
    ['path', { d: 'M16 3v3.5h-3.5' }],
  ],
} as const satisfies Record<string, readonly SvgShape[]>;

export type IconName = keyof typeof ICON_SHAPES;

export const LOGO_VIEWBOX = '0 0 32 32';

export const LOGO_SHAPES: readonly SvgShape[] = [
  ['rect', { x: '1', y: '1', width: '30', height: '30', rx: '8', class: 'logo__bg' }],
  ['path', { d: 'M16 7v16M11 11h10M9 18c0 3.5 3.1 6 7 6s7-2.5 7-6', class: 'logo__mark' }],
  ['circle', { cx: '16', cy: '7', r: '1.8', class: 'logo__mark' }],
];
