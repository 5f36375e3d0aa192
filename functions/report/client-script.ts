/**
 * The page's own script (plain ES2017, inlined after ECharts): reads the embedded chart options, turns
 * the '@…' formatter markers into locale formatters, draws every chart with the SVG renderer (crisp in
 * print), refits them for printing, and publishes `window.__charts` ({ id, seriesCount, dataPoints })
 * so a test can check that every chart drew something.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('report-data').textContent);
  var locale = payload.locale;
  var currency = payload.currency;
  var MISSING = '\u2014';
  function nf(options) { return new Intl.NumberFormat(locale, options); }
  var compactAmount = nf({ style: 'currency', currency: currency, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 });
  var fullAmount = nf({ style: 'currency', currency: currency });
  var pct1 = nf({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var pct0 = nf({ style: 'percent', maximumFractionDigits: 0 });
  var integer = nf({ maximumFractionDigits: 0 });
  var decimal2 = nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function pick(value) {
    if (value && typeof value === 'object' && !Array.isArray(value)) value = value.value;
    if (Array.isArray(value)) value = value[value.length - 1];
    return typeof value === 'string' ? Number(value) : value;
  }
  function formatter(fn) {
    return function (value) {
      var n = pick(value);
      return typeof n === 'number' && isFinite(n) ? fn(n) : MISSING;
    };
  }
  var FORMATTERS = {
    '@amount': formatter(function (n) { return compactAmount.format(n); }),
    '@amountFull': formatter(function (n) { return fullAmount.format(n); }),
    '@pct': formatter(function (n) { return pct1.format(n / 100); }),
    '@pct0': formatter(function (n) { return pct0.format(n / 100); }),
    '@number': formatter(function (n) { return integer.format(n); }),
    '@decimal2': formatter(function (n) { return decimal2.format(n); })
  };
  var ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function escapeHtml(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (ch) { return ESCAPES[ch]; });
  }
  function first(axis) { return Array.isArray(axis) ? axis[0] : axis; }
  // Heatmap tooltips name the row and the column (escaped: they come from export data).
  function cellTip(option, format) {
    return function (params) {
      var v = params.value || [];
      var x = (first(option.xAxis).data || [])[v[0]];
      var y = (first(option.yAxis).data || [])[v[1]];
      return params.marker + escapeHtml(y) + ' · ' + escapeHtml(x) + ': <b>' + escapeHtml(format(v[2])) + '</b>';
    };
  }
  function resolve(node, key, option) {
    if (Array.isArray(node)) return node.map(function (item) { return resolve(item, '', option); });
    if (node && typeof node === 'object') {
      var out = {};
      Object.keys(node).forEach(function (k) { out[k] = resolve(node[k], k, option); });
      return out;
    }
    if ((key === 'formatter' || key === 'valueFormatter') && typeof node === 'string') {
      if (node === '@cellTipAmount') return cellTip(option, FORMATTERS['@amountFull']);
      if (node === '@cellTipPct') return cellTip(option, FORMATTERS['@pct']);
      if (FORMATTERS[node]) return FORMATTERS[node];
    }
    return node;
  }
  var PRINT_WIDTH = 1000;
  var drawn = [];
  var summary = [];
  payload.charts.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) { console.error('report: no container for ' + spec.id); return; }
    try {
      var chart = echarts.init(el, null, { renderer: 'svg', locale: locale === 'zh-CN' ? 'ZH' : 'EN' });
      chart.setOption(resolve(spec.option, '', spec.option));
      drawn.push({ spec: spec, el: el, chart: chart });
      var series = chart.getOption().series || [];
      summary.push({
        id: spec.id,
        seriesCount: series.length,
        dataPoints: series.reduce(function (n, s) { return n + (s.data ? s.data.length : 0); }, 0)
      });
    } catch (error) {
      console.error('report: chart ' + spec.id + ' failed: ' + (error && error.message));
    }
  });
  function fit(printing) {
    drawn.forEach(function (d) {
      d.el.style.width = printing ? PRINT_WIDTH + 'px' : '';
      d.el.style.height = (printing ? (d.spec.printHeight || Math.min(d.spec.height, 520)) : d.spec.height) + 'px';
      d.chart.resize();
    });
  }
  var printMedia = window.matchMedia('print');
  var onMedia = function (event) { fit(event.matches); };
  if (printMedia.addEventListener) printMedia.addEventListener('change', onMedia);
  window.addEventListener('beforeprint', function () { fit(true); });
  window.addEventListener('afterprint', function () { fit(false); });
  window.addEventListener('resize', function () { if (!printMedia.matches) fit(false); });
  if (printMedia.matches) fit(true);
  window.__charts = summary;
  window.__reportReady = true;
})();
`;
