/**
 * PNG diagrams: the SVG Graphviz draws (render.ts), rasterised by resvg (a Rust SVG renderer shipped
 * prebuilt in the `@resvg/resvg-js` package, loaded on first use) with the system's fonts, on white,
 * at twice the SVG's size — at most {@link PNG_MAX_SIDE} pixels on a side, so a huge lab still
 * makes a picture a viewer opens (its labels then get small: use SVG for those).
 */
import { NslabError } from "../errors.js";
import type { GraphModel } from "./model.js";
import { renderSvg } from "./render.js";

/** The longest side of a PNG diagram, in pixels. */
export const PNG_MAX_SIDE = 8000;

/** Render `g` as a PNG image (the bytes of the file). */
export async function renderPng(g: GraphModel): Promise<Buffer> {
  const svg = await renderSvg(g);
  let resvg: typeof import("@resvg/resvg-js");
  try {
    resvg = await import("@resvg/resvg-js");
  } catch (e) {
    throw new NslabError(
      "E_ENV",
      `PNG output needs @resvg/resvg-js, which does not load here: ${(e as Error).message}`,
      {
        hint: "write SVG instead (-o lab.svg), which every browser shows",
        cause: e,
      },
    );
  }
  const zoom = Math.min(2, PNG_MAX_SIDE / Math.max(1, ...svgSize(svg)));
  const image = new resvg.Resvg(svg, {
    fitTo: { mode: "zoom", value: zoom },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  }).render();
  return image.asPng();
}

/** The SVG's width and height in CSS pixels (Graphviz writes points: 1 pt = 4/3 px). */
function svgSize(svg: string): [number, number] {
  const m = svg.match(/<svg[^>]*\swidth="([\d.]+)(pt|px)?"[^>]*\sheight="([\d.]+)(pt|px)?"/);
  if (!m) return [1000, 1000];
  const px = (v: string, unit: string | undefined) => Number(v) * (unit === "pt" ? 4 / 3 : 1);
  return [px(m[1]!, m[2]), px(m[3]!, m[4])];
}
