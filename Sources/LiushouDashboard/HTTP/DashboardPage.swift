/// The joint meeting's page: static HTML with small plain JavaScript over the same API (no CDN).
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>留守人员关爱服务 · 联席会议指标</title>
<style>
  :root { --green: #1b7f3b; --amber: #b26a00; --red: #b3261e; --line: #d0d5dd; --ink: #1d2433; --muted: #5b6474; }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  body { margin: 0; font: 16px/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: #f6f7f9; }
  header { background: #123a6b; color: #fff; padding: 12px 20px; display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
  header h1 { font-size: 20px; margin: 0; flex: 1 1 auto; }
  main { padding: 16px 20px; max-width: 1400px; margin: 0 auto; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; }
  h2 { font-size: 18px; margin: 4px 0 12px; }
  form.login { max-width: 360px; margin: 40px auto; display: grid; gap: 10px; }
  input, button, select { font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; }
  button { background: #123a6b; color: #fff; border: none; cursor: pointer; }
  button.plain { background: #e8ecf3; color: var(--ink); }
  .error { color: var(--red); }
  .crumbs a { color: #fff; text-decoration: underline; cursor: pointer; margin-right: 6px; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 15px; }
  th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; position: sticky; left: 0; background: #fff; }
  thead th { background: #eef1f6; font-weight: 600; white-space: normal; min-width: 84px; }
  tr.self td { font-weight: 700; background: #f3f6fb; }
  td.green { color: var(--green); } td.amber { color: var(--amber); } td.red { color: var(--red); font-weight: 700; }
  td .frac { display: block; font-size: 12px; color: var(--muted); font-weight: 400; }
  a.drill { color: #123a6b; cursor: pointer; text-decoration: underline; }
  .legend span { margin-right: 14px; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
  .chart { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
  .chart h3 { font-size: 14px; margin: 0 0 4px; }
  .lists { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
  ul.items { list-style: none; padding: 0; margin: 0; max-height: 360px; overflow: auto; }
  ul.items li { border-bottom: 1px solid var(--line); padding: 6px 0; }
  .muted { color: var(--muted); font-size: 14px; }
  @media (max-width: 640px) { header h1 { font-size: 17px; } th, td { padding: 4px 5px; font-size: 13px; } }
  @media print {
    header button, header select, .no-print, form.login { display: none !important; }
    body { background: #fff; } header { background: #fff; color: #000; border-bottom: 2px solid #000; }
    .crumbs a { color: #000; } section { border: none; page-break-inside: avoid; }
    th:first-child, td:first-child { position: static; }
  }
</style>
</head>
<body>
<header>
  <h1>留守儿童、妇女、老人关爱服务 · 联席会议指标</h1>
  <span class="crumbs" id="crumbs"></span>
  <button class="plain no-print" id="csv" hidden>导出 CSV</button>
  <button class="plain no-print" id="print" hidden>打印</button>
  <button class="plain no-print" id="logout" hidden>退出</button>
</header>
<main>
  <form class="login" id="login">
    <h2>登录</h2>
    <label>用户名 <input name="username" id="username" autocomplete="username" required></label>
    <label>密码 <input name="password" id="password" type="password" autocomplete="current-password" required></label>
    <button type="submit" id="submit">登录</button>
    <div class="error" id="login-error" role="alert"></div>
  </form>
  <div id="board" hidden>
    <section>
      <h2 id="title">指标</h2>
      <p class="legend muted"><span style="color:var(--green)">● 达标</span><span style="color:var(--amber)">● 接近目标（差 10 个百分点以内）</span><span style="color:var(--red)">● 未达标</span><span>生成于 <span id="generated"></span></span></p>
      <div class="table-wrap"><table id="indicators"></table></div>
      <p class="muted">点击单位名称查看下级单位。每个指标的口径见 <a href="#" id="show-definitions" class="no-print">指标说明</a>。</p>
      <div id="definitions" hidden></div>
    </section>
    <section>
      <h2>按周趋势</h2>
      <div class="charts" id="charts"></div>
    </section>
    <div class="lists">
      <section><h2>逾期未走访</h2><ul class="items" id="overdue"></ul></section>
      <section><h2>未确认的强制报告</h2><ul class="items" id="reports"></ul></section>
    </div>
  </div>
</main>
<script>
(function () {
  "use strict";
  var token = sessionStorage.getItem("liushou.token");
  var definitions = null;
  var trail = [];
  var $ = function (id) { return document.getElementById(id); };

  function text(value) { return value == null ? "" : String(value); }
  function escape(value) {
    return text(value).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c]; });
  }
  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ "accept": "application/json" }, options.headers || {});
    if (token) { options.headers["authorization"] = "Bearer " + token; }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) { logout(); throw new Error("请重新登录"); }
      if (!response.ok) { return response.json().catch(function () { return {}; }).then(function (p) { throw new Error(p.title || ("错误 " + response.status)); }); }
      var type = response.headers.get("content-type") || "";
      return type.indexOf("json") >= 0 ? response.json() : response.text();
    });
  }
  function percent(rate) { return rate == null ? "—" : (Math.round(rate * 1000) / 10).toFixed(1) + "%"; }

  function logout() {
    token = null; sessionStorage.removeItem("liushou.token");
    $("board").hidden = true; $("login").hidden = false;
    ["csv", "print", "logout"].forEach(function (id) { $(id).hidden = true; });
  }

  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    api("/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value }) })
      .then(function (session) { token = session.token; sessionStorage.setItem("liushou.token", token); start(); })
      .catch(function (error) { $("login-error").textContent = "登录失败：" + error.message; });
  });
  $("logout").addEventListener("click", function () { api("/v1/auth/logout", { method: "POST" }).catch(function () {}).then(logout); });
  $("print").addEventListener("click", function () { window.print(); });
  $("csv").addEventListener("click", function () {
    var unit = trail[trail.length - 1];
    fetch("/v1/dashboard.csv?unitId=" + unit.id, { headers: { authorization: "Bearer " + token } })
      .then(function (r) { return r.blob(); })
      .then(function (blob) { var a = document.createElement("a"); a.href = URL.createObjectURL(blob); a.download = "联席会议指标-" + unit.name + ".csv"; a.click(); });
  });
  $("show-definitions").addEventListener("click", function (event) {
    event.preventDefault();
    var box = $("definitions");
    box.hidden = !box.hidden;
    box.innerHTML = "<dl>" + definitions.indicators.map(function (d) {
      return "<dt><b>" + escape(d.name) + "</b>（目标 " + (d.target == null ? "未设定" : percent(d.target)) + "）</dt><dd>" + escape(d.definition) + "</dd>";
    }).join("") + "</dl>";
  });

  function start() {
    $("login").hidden = true;
    Promise.all([api("/v1/auth/me"), api("/v1/dashboard/definitions")]).then(function (results) {
      var me = results[0]; definitions = results[1];
      var grant = me.grants.filter(function (g) { return ["county_admin", "town_admin", "child_welfare_supervisor", "village_cadre"].indexOf(g.role) >= 0; })
        .sort(function (a, b) { return a.unitPath.length - b.unitPath.length; })[0];
      if (!grant) { $("login").hidden = false; $("login-error").textContent = "您的账号没有查看指标的权限。"; return; }
      ["csv", "print", "logout"].forEach(function (id) { $(id).hidden = false; });
      trail = [];
      show(grant.unitId, null);
    }).catch(function (error) { $("login").hidden = false; $("login-error").textContent = error.message; });
  }

  function show(unitId, name) {
    api("/v1/dashboard?unitId=" + unitId).then(function (dashboard) {
      var self = dashboard.rows[0];
      var index = trail.findIndex(function (u) { return u.id === self.unitId; });
      if (index >= 0) { trail = trail.slice(0, index + 1); } else { trail.push({ id: self.unitId, name: self.unitName }); }
      $("crumbs").innerHTML = trail.map(function (u, i) { return "<a data-crumb='" + i + "'>" + escape(u.name) + "</a>"; }).join("› ");
      $("title").textContent = self.unitName + " · 指标一览";
      $("generated").textContent = new Date(dashboard.generatedAt).toLocaleString("zh-CN");
      renderTable(dashboard);
      $("board").hidden = false;
      loadTrend(self.unitId);
      loadLists(self.unitId);
    }).catch(function (error) { alert(error.message); });
  }
  $("crumbs").addEventListener("click", function (event) {
    var i = event.target.getAttribute("data-crumb");
    if (i != null) { show(trail[+i].id); }
  });

  function renderTable(dashboard) {
    var names = {}; definitions.indicators.forEach(function (d) { names[d.key] = d; });
    var head = "<thead><tr><th>单位</th>" + definitions.indicators.map(function (d) {
      return "<th title='" + escape(d.definition) + "'>" + escape(d.name) + (d.target == null ? "" : "<br><span class='muted'>目标 " + percent(d.target) + "</span>") + "</th>";
    }).join("") + "<th>在管人员</th><th>待办跟进</th><th>未确认强制报告</th></tr></thead>";
    var body = dashboard.rows.map(function (row, i) {
      var cells = row.indicators.map(function (v) {
        return "<td class='" + v.status + "' data-key='" + v.key + "'>" + percent(v.rate) + "<span class='frac'>" + v.numerator + " / " + v.denominator + "</span></td>";
      }).join("");
      var c = row.counts;
      var followUps = c.follow_ups_open_under_7_days + c.follow_ups_open_7_to_30_days + c.follow_ups_open_over_30_days;
      var reports = c.safeguarding_unacknowledged_under_1_day + c.safeguarding_unacknowledged_1_to_7_days + c.safeguarding_unacknowledged_over_7_days;
      var name = i === 0 ? escape(row.unitName) : "<a class='drill' data-unit='" + row.unitId + "'>" + escape(row.unitName) + "</a>";
      return "<tr class='" + (i === 0 ? "self" : "child") + "'><td>" + name + "</td>" + cells + "<td>" + c.persons + "</td><td>" + followUps +
        (c.follow_ups_open_over_30_days ? "<span class='frac'>超 30 天 " + c.follow_ups_open_over_30_days + "</span>" : "") + "</td><td class='" + (reports ? "red" : "") + "'>" + reports + "</td></tr>";
    }).join("");
    $("indicators").innerHTML = head + "<tbody>" + body + "</tbody>";
  }
  $("indicators").addEventListener("click", function (event) {
    var unit = event.target.getAttribute("data-unit");
    if (unit) { show(unit); }
  });

  function loadTrend(unitId) {
    api("/v1/dashboard/trend?unitId=" + unitId + "&weeks=12").then(function (trend) {
      $("charts").innerHTML = definitions.indicators.map(function (d) {
        var points = trend.weeks.map(function (w) {
          var v = w.indicators.filter(function (x) { return x.key === d.key; })[0];
          return { week: w.weekStart, rate: v ? v.rate : null };
        });
        return "<div class='chart'><h3>" + escape(d.name) + "</h3>" + sparkline(points, d.target) + "</div>";
      }).join("");
    }).catch(function () { $("charts").textContent = "暂无趋势数据"; });
  }
  function sparkline(points, target) {
    var w = 240, h = 70, pad = 4;
    if (!points.length) { return "<p class='muted'>暂无数据</p>"; }
    var x = function (i) { return pad + (points.length === 1 ? (w - 2 * pad) / 2 : i * (w - 2 * pad) / (points.length - 1)); };
    var y = function (r) { return h - pad - r * (h - 2 * pad); };
    var path = points.filter(function (p) { return p.rate != null; }).map(function (p) { return x(points.indexOf(p)).toFixed(1) + "," + y(p.rate).toFixed(1); });
    var last = points[points.length - 1];
    return "<svg viewBox='0 0 " + w + " " + h + "' width='100%' height='" + h + "' role='img' aria-label='趋势'>" +
      (target == null ? "" : "<line x1='0' x2='" + w + "' y1='" + y(target) + "' y2='" + y(target) + "' stroke='#1b7f3b' stroke-dasharray='4 3'/>") +
      "<polyline fill='none' stroke='#123a6b' stroke-width='2' points='" + path.join(" ") + "'/>" +
      path.map(function (p) { var xy = p.split(","); return "<circle cx='" + xy[0] + "' cy='" + xy[1] + "' r='2.5' fill='#123a6b'/>"; }).join("") +
      "</svg><div class='muted'>" + escape(points[0].week) + " 至 " + escape(last.week) + "：" + percent(last.rate) + "</div>";
  }

  function loadLists(unitId) {
    api("/v1/overdue?unitId=" + unitId + "&limit=50").then(function (list) {
      $("overdue").innerHTML = list.items.length ? list.items.map(function (o) {
        return "<li><b>" + escape(o.personName) + "</b> · " + escape(o.description) + " · 逾期 " + o.hoursLate + " 小时" +
          (o.responsible ? "<br><span class='muted'>责任人：" + escape(o.responsible) + "</span>" : "") + "</li>";
      }).join("") : "<li class='muted'>无逾期走访</li>";
    }).catch(function () { $("overdue").innerHTML = "<li class='muted'>无权查看</li>"; });
    api("/v1/safeguarding-reports").then(function (list) {
      $("reports").innerHTML = list.items.length ? list.items.map(function (r) {
        return "<li><b>" + escape(r.kind) + "</b> · " + new Date(r.reportedAt).toLocaleString("zh-CN") + " · 报告人 " + escape(r.reporterName) +
          (r.policeNotifiedAt ? "" : "<br><span class='error'>尚未记录报警</span>") + "</li>";
      }).join("") : "<li class='muted'>无未确认的强制报告</li>";
    }).catch(function () { $("reports").innerHTML = "<li class='muted'>无权查看</li>"; });
  }

  if (token) { start(); }
})();
</script>
</body>
</html>
"""#
}
