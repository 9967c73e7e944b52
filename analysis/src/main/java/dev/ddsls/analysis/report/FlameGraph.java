package dev.ddsls.analysis.report;

import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flame graph of a profile's samples, rendered as inline SVG: one {@code <g class="f">}
 * per frame with its name in {@code data-name}, its value in {@code data-v}, a {@code <title>} for hover, a rect and a
 * label that {@link #SCRIPT} fits to the width (abbreviating packages when the name does not fit; refitted on
 * click-to-zoom). Icicle layout (root on top) in a height-capped scroll box, so deep Java stacks do not push the wide
 * frames off screen; a search box above each graph highlights matching frames and sums them (a frame inside another
 * match counts once; frames too narrow to draw are not in the page, so not in the sum). Values can be shown per unit ({@link #per}: per cold start), the sum named as such beside it.
 * A differential graph has the shape of the second profile and colours each frame by the change of its share of the
 * total: red grew, blue shrank. No dependencies: the page needs only {@link #STYLE} and {@link #SCRIPT} once.
 */
public final class FlameGraph {
  static final int WIDTH = 1200, ROW = 18;
  private static final double MIN_PX = 0.3; // narrower frames (and their callees) are not drawn

  private final Node root = new Node("all");
  private final String unit;
  private boolean differential;
  private long beforeTotal;
  private int per = 1, beforePer = 1;
  private String perWhat; // null: values are sums

  private static final class Node {
    final String name;
    long total, self, before;
    final Map<String, Node> children = new TreeMap<>(); // alphabetical, like flamegraph.pl

    Node(String name) { this.name = name; }

    Node child(String n) { return children.computeIfAbsent(n, Node::new); }
  }

  private FlameGraph(String unit) { this.unit = unit; }

  /**
   * The samples of {@code profile} by value {@code valueIndex}, built from their stacks frame by frame (no joined
   * strings: a frame name may hold any character).
   * @param unit the values' unit: {@code nanoseconds} are shown as ms, anything else as a count
   */
  public static FlameGraph of(Profile profile, int valueIndex, String unit) {
    FlameGraph g = new FlameGraph(unit);
    if (profile == null) return g;
    for (ProfileSample s : profile.samples()) {
      long v = s.value(valueIndex);
      List<String> leafFirst = s.stack();
      if (v == 0 || leafFirst.isEmpty()) continue;
      Node n = g.root;
      n.total += v;
      for (int i = leafFirst.size() - 1; i >= 0; i--) {
        n = n.child(leafFirst.get(i));
        n.total += v;
      }
      n.self += v;
    }
    return g;
  }

  /** The graph of {@code after}, each frame also carrying its value in {@code before} (same path). */
  public static FlameGraph diff(Profile before, int beforeIndex, Profile after, int afterIndex, String unit) {
    FlameGraph g = of(after, afterIndex, unit);
    g.differential = true;
    for (ProfileSample s : before.samples()) {
      long v = s.value(beforeIndex);
      List<String> leafFirst = s.stack();
      if (v == 0 || leafFirst.isEmpty()) continue;
      g.beforeTotal += v;
      Node n = g.root;
      n.before += v;
      for (int i = leafFirst.size() - 1; i >= 0; i--) {
        n = n.children.get(leafFirst.get(i));
        if (n == null) break; // gone in after: not drawn
        n.before += v;
      }
    }
    return g;
  }

  public long total() { return root.total; }

  /**
   * Shows values divided by {@code n} ("per {@code what}", e.g. per cold start) with the sum beside them, so the graph
   * reads like the text report's per-cold-start figures. {@code n < 2} keeps plain sums.
   */
  public FlameGraph per(int n, String what) {
    if (n > 1) {
      per = n;
      perWhat = what;
    }
    return this;
  }

  /** For a differential graph: the units the before values are divided by (its side may have had more or fewer). */
  public FlameGraph perBefore(int n) {
    beforePer = Math.max(1, n);
    return this;
  }

  /** Appends {@code <svg class="flame" id=..>}; an empty graph gives a short note instead. */
  public void svg(StringBuilder out, String id) {
    if (root.total == 0) {
      out.append("<p class=\"empty\" id=\"").append(esc(id)).append("\">No samples.</p>\n");
      return;
    }
    int depth = depth(root, 0);
    int height = (depth + 1) * ROW;
    out.append("<div class=\"flame-tools\"><input type=\"search\" class=\"flame-search\" data-for=\"").append(esc(id))
        .append("\" placeholder=\"search frames (text or regex)\" aria-label=\"search frames\"> <span class=\"flame-found\" id=\"")
        .append(esc(id)).append("-found\"></span></div>\n<div class=\"flame-box\">");
    out.append("<svg class=\"flame\" id=\"").append(esc(id)).append("\" data-width=\"").append(WIDTH)
        .append("\" data-total=\"").append(root.total).append("\" data-per=\"").append(per).append("\" data-per-what=\"")
        .append(perWhat == null ? "" : esc(perWhat)).append("\" data-unit=\"").append(esc(unit))
        .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(height).append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    render(out, root, 0, 0, WIDTH, maxShareDelta(root));
    out.append("</svg></div>\n");
  }

  private int depth(Node n, int d) {
    int max = d;
    for (Node c : n.children.values()) {
      if (c.total * (double) WIDTH / root.total >= MIN_PX) max = Math.max(max, depth(c, d + 1));
    }
    return max;
  }

  private void render(StringBuilder out, Node n, int d, double x, double w, double maxDelta) {
    double y = d * ROW; // icicle: root on top
    out.append("<g class=\"f\" data-name=\"").append(esc(n.name)).append("\" data-v=\"").append(n.total).append("\" data-depth=\"")
        .append(d).append("\" data-x=\"").append(num(x)).append("\" data-w=\"").append(num(w)).append("\"><title>")
        .append(esc(title(n))).append("</title><rect x=\"").append(num(x)).append("\" y=\"").append(num(y))
        .append("\" width=\"").append(num(w)).append("\" height=\"").append(ROW - 1).append("\" rx=\"2\" fill=\"")
        .append(differential ? diffColour(n, maxDelta) : colour(n.name)).append("\"/><text x=\"").append(num(x + 3))
        .append("\" y=\"").append(num(y + ROW - 5)).append("\"></text></g>\n");
    double cx = x;
    for (Node c : n.children.values()) {
      double cw = c.total * (double) WIDTH / root.total;
      if (cw >= MIN_PX) render(out, c, d + 1, cx, cw, maxDelta);
      cx += cw;
    }
  }

  private String title(Node n) {
    String each = perWhat == null ? "" : " per " + perWhat;
    String t = n.name + " - " + value(n.total / (double) per) + each + " (" + pct(n.total, root.total) + ")";
    if (n.self > 0) t += ", self " + value(n.self / (double) per) + each;
    if (perWhat != null) t += "; sum over " + per + " " + perWhat + "s " + value(n.total);
    if (differential) t += "; before " + value(n.before / (double) beforePer) + each + " (" + pct(n.before, beforeTotal) + ")";
    return t;
  }

  /** Change of a frame's share of the total, after minus before. */
  private double shareDelta(Node n) {
    double after = root.total == 0 ? 0 : n.total / (double) root.total;
    double before = beforeTotal == 0 ? 0 : n.before / (double) beforeTotal;
    return after - before;
  }

  private double maxShareDelta(Node n) {
    double m = Math.abs(shareDelta(n));
    for (Node c : n.children.values()) m = Math.max(m, maxShareDelta(c));
    return m;
  }

  private String diffColour(Node n, double maxDelta) {
    double s = maxDelta == 0 ? 0 : shareDelta(n) / maxDelta;
    int fade = (int) Math.round(220 * (1 - Math.abs(s)));
    return s >= 0 ? "rgb(255," + (fade + 20) + "," + fade + ")" : "rgb(" + fade + "," + (fade + 20) + ",255)";
  }

  /** Warm colours by kind: own code orange-red, JDK and libraries yellow, native frames grey-red; hue varies by name. */
  static String colour(String frame) {
    int h = Math.floorMod(frame.hashCode(), 20);
    if (FrameStats.packageOf(frame).equals(FrameStats.NATIVE)) return "hsl(" + (h / 2) + ",45%,62%)";
    if (FrameStats.isLibrary(frame)) return "hsl(" + (40 + h) + ",80%,60%)";
    return "hsl(" + (10 + h) + ",85%,58%)";
  }

  String value(double v) {
    if (unit.equals("nanoseconds")) return String.format(Locale.ROOT, "%,.1f ms", v / 1e6);
    return (v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.1f", v)) + " " + unit;
  }

  private static String pct(long part, long whole) {
    return String.format(Locale.ROOT, "%.1f %%", whole == 0 ? 0 : part * 100.0 / whole);
  }

  private static String num(double v) { return String.format(Locale.ROOT, "%.2f", v); }

  /** Escapes text for HTML/SVG content and attribute values. */
  public static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A whole page with one graph, for {@code ddsls profile flame|diff}. */
  public static String page(String title, List<String> lines, FlameGraph g) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title>\n<style>").append(STYLE).append("</style></head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n");
    for (String l : lines) b.append("<p>").append(esc(l)).append("</p>\n");
    g.svg(b, "flame");
    b.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    return b.toString();
  }

  public static final String STYLE = String.join("\n",
      "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}",
      "div.flame-box{max-height:70vh;overflow:auto;width:fit-content;max-width:100%}",
      "svg.flame{display:block;font:12px monospace;cursor:pointer;background:#fafafa;border:1px solid #ddd}",
      "svg.flame g.f:hover rect{stroke:#000;stroke-width:.7}",
      "svg.flame g.f.match rect{fill:#e040fb}",
      "svg.flame text{pointer-events:none;fill:#000}",
      "div.flame-tools{margin:.3em 0}input.flame-search{width:24em}span.flame-found{color:#444;margin-left:.5em}");

  /**
   * Fits labels to their frames (full name, else packages abbreviated to initials, else the tail: class and method are
   * what one reads), zooms on click (click the root to reset), and searches: frames whose name matches the box (or
   * {@code #search=TEXT} in the page's address) are highlighted and summed, per unit as in the hovers.
   */
  public static final String SCRIPT = String.join("\n",
      "(function(){",
      "function abbrev(n){var p=n.split('.');if(p.length<3)return n;",
      " for(var i=0;i<p.length-2&&/^[a-z_]/.test(p[i]);i++)p[i]=p[i].charAt(0);return p.join('.');}",
      "function label(n,c){if(c<3)return '';if(n.length<=c)return n;var a=abbrev(n);if(a.length<=c)return a;",
      " return c<5?'':'..'+a.substring(a.length-c+2);}",
      "function fit(svg){svg.querySelectorAll('g.f').forEach(function(g){var r=g.querySelector('rect'),t=g.querySelector('text');",
      " t.textContent=label(g.getAttribute('data-name'),Math.floor((+r.getAttribute('width')-6)/7));});}",
      "function zoom(svg,z){var x0=+z.dataset.x,w0=+z.dataset.w,d0=+z.dataset.depth,W=+svg.dataset.width,e=1e-6;",
      " svg.querySelectorAll('g.f').forEach(function(g){var x=+g.dataset.x,w=+g.dataset.w,d=+g.dataset.depth;",
      "  var inside=x>=x0-e&&x+w<=x0+w0+e,above=d<d0&&x<=x0+e&&x+w>=x0+w0-e;",
      "  if(!inside&&!above){g.style.display='none';return;}",
      "  g.style.display='';var nx=above?0:(x-x0)*W/w0,nw=above?W:w*W/w0;",
      "  g.querySelector('rect').setAttribute('x',nx);g.querySelector('rect').setAttribute('width',nw);",
      "  g.querySelector('text').setAttribute('x',nx+3);});",
      " fit(svg);}",
      "function value(svg,v){var per=+svg.dataset.per||1,what=svg.dataset.perWhat,u=svg.dataset.unit;",
      " var s=u==='nanoseconds'?(v/per/1e6).toLocaleString('en-US',{minimumFractionDigits:1,maximumFractionDigits:1})+' ms'",
      "  :(v/per).toLocaleString('en-US',{maximumFractionDigits:1})+' '+u;return what?s+' per '+what:s;}",
      "function search(svg,q){var found=document.getElementById(svg.id+'-found'),re=null;",
      " if(q){try{re=new RegExp(q,'i');}catch(e){re=new RegExp(q.replace(/[.*+?^${}()|[\\]\\\\]/g,'\\\\$&'),'i');}}",
      " var hits=[];svg.querySelectorAll('g.f').forEach(function(g){var m=re!==null&&re.test(g.dataset.name);",
      "  g.classList.toggle('match',m);if(m)hits.push(g);});",
      " hits.sort(function(a,b){return a.dataset.depth-b.dataset.depth;});var outer=[],sum=0,e=1e-6;",
      " hits.forEach(function(g){var x=+g.dataset.x,w=+g.dataset.w;",
      "  if(outer.some(function(o){return x>=o[0]-e&&x+w<=o[1]+e;}))return;outer.push([x,x+w]);sum+=+g.dataset.v;});",
      " if(found)found.textContent=re===null?'':hits.length+' frames match: '+value(svg,sum)+' ('",
      "  +(sum*100/(+svg.dataset.total||1)).toFixed(1)+' % of all)';}",
      "var initial=decodeURIComponent((location.hash.match(/search=([^&]*)/)||[])[1]||'');",
      "document.querySelectorAll('svg.flame').forEach(function(svg){fit(svg);",
      " svg.addEventListener('click',function(ev){var g=ev.target.closest('g.f');if(g)zoom(svg,g);});});",
      "document.querySelectorAll('input.flame-search').forEach(function(box){var svg=document.getElementById(box.dataset.for);",
      " if(!svg)return;box.addEventListener('input',function(){search(svg,box.value);});",
      " if(initial){box.value=initial;search(svg,initial);}});",
      "})();");
}
