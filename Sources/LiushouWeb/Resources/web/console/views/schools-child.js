// 学校关爱 for one child: the roll history with status changes (transfer, dropout → 控辍保学) and
// placement, the monthly talk (谈心), counselling (心理辅导; details only where the API gives them),
// family contacts (亲情联系) and learning help plans with progress checks (学习帮扶计划, 进步档案).
import { h, mount, field, toast } from "../../shared/ui.js";
import { get, post, put, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as S from "./schools-util.js";

const TABS = [
  { key: "roll", label: "学籍与状态" },
  { key: "talk", label: "谈心谈话" },
  { key: "counselling", label: "心理辅导" },
  { key: "contact", label: "亲情联系" },
  { key: "learning", label: "学习帮扶" },
];

// A message that survives the page's reload after a change (shown once).
let flash = null;
let flashLink = null;
function reloadWith(app, message) {
  flash = message;
  app.render();
}

export async function childView({ app, personId, params, schoolId, schools }) {
  let history;
  try {
    history = await get(`/v1/persons/${personId}/enrolments`);
  } catch (error) {
    if (error.status !== 404 && error.status !== 403) throw error;
    mount(app.view, h("h1", "找不到儿童"), h("p.banner.warn", { role: "alert" }, "此儿童不存在，或不在你的工作范围内。"),
      h("a.button", { href: `#/schools${query({ school: schoolId })}` }, "返回学校关爱"));
    return;
  }
  const open = history.items.find((e) => !e.endedOn && !["transferred_out", "completed"].includes(e.status));
  const name = (history.items.find((e) => e.personName) || {}).personName || "（儿童）";
  const tab = TABS.find((t) => t.key === params.get("tab")) || TABS[0];
  const back = `#/schools${query({ school: schoolId })}`;
  const panel = h("div.tab-panel", { role: "tabpanel", id: "child-panel", "aria-labelledby": `child-tab-${tab.key}`, tabindex: "0" });
  const [notice, noticeLink] = [flash, flashLink];
  [flash, flashLink] = [null, null];
  mount(app.view,
    h("p.crumbs.no-print", h("a", { href: back }, "学校关爱"), " › ", name),
    h("h1", name, " ", open ? S.statusBadge(open.status) : h("span.badge", "不在册")),
    h("p.muted", open ? `${open.schoolName || ""} · ${S.gradeText(open)} · ${open.enrolledOn} 入学` : "目前不在你可见的任何学校名册上。",
      can("persons.read") ? [" · ", h("a", { href: `#/persons/${personId}` }, "查看档案")] : null),
    notice ? h(`p.banner.${notice.kind || "ok"}`, { role: "status", id: "child-notice" }, notice.text,
      noticeLink ? [" ", h("a", { href: noticeLink.href }, noticeLink.text)] : null) : null,
    h("div.tabs.no-print", { role: "tablist", "aria-label": "儿童关爱分页" }, TABS.map((t) => h("a", {
      role: "tab", id: `child-tab-${t.key}`, href: `#/schools/${personId}${query({ school: schoolId, tab: t.key })}`,
      "aria-selected": String(t.key === tab.key), "aria-controls": "child-panel",
    }, t.label))),
    panel);
  const loaders = { roll: rollTab, talk: talkTab, counselling: counsellingTab, contact: contactTab, learning: learningTab };
  try {
    mount(panel, h("h2.sr-only", tab.label), await loaders[tab.key]({ app, personId, history, open, name, schools }));
  } catch (error) {
    mount(panel, h("p.banner.warn", { role: "alert" }, error.status === 403 ? "你的角色不能查看此分页。" : `加载失败：${error.message}`));
  }
}

function rollTab({ app, personId, history, open, schools }) {
  const statusName = (s) => S.rollStatus[s] || s;
  return [
    h("h3", "学籍记录"),
    h("div.table-wrap", h("table.list", h("caption.sr-only", "学籍记录"),
      h("thead", h("tr", ["学校", "学段年级班级", "状态", "入学", "离校"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", history.items.map((e) => h("tr", h("td", e.schoolName || "—"), h("td", S.gradeText(e)), h("td", S.statusBadge(e.status)),
        h("td", e.enrolledOn), h("td", e.endedOn || "—")))))),
    history.changes.length ? [h("h3", "状态变更"), h("div.table-wrap", h("table.list.changes", h("caption.sr-only", "状态变更"),
      h("thead", h("tr", ["生效日期", "变更", "原因", "转入学校", "记录人"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", history.changes.map((c) => h("tr", h("td", c.effectiveOn), h("td", `${statusName(c.fromStatus)} → ${statusName(c.toStatus)}`),
        h("td", c.reason || "—"), h("td", c.toSchoolName || (c.toSchoolId ? "县内学校" : "—")), h("td", c.recordedByName))))))] : null,
    open && can("schools.manage") ? [statusForm(app, personId, open, schools), placementForm(app, personId, open)] : null,
  ];
}

function statusForm(app, personId, row, schools) {
  let version = row.version;
  const options = Object.fromEntries(Object.entries(S.rollStatus).filter(([k]) => k !== row.status)
    .map(([k, v]) => [k, k === "enrolled" && row.status !== "enrolled" ? "在读（返校、复学）" : v]));
  const toStatus = S.select("toStatus", options, { empty: "请选择" });
  const effectiveOn = S.dateInput("effectiveOn");
  const reason = S.textarea("reason", 1000, 2);
  const toSchoolId = h("select", { name: "toSchoolId" }, h("option", { value: "" }, "县外学校（在下方填写校名）"),
    schools.filter((s) => s.id !== row.schoolId).map((s) => h("option", { value: s.id }, s.name)));
  const toSchoolName = h("input", { name: "toSchoolName", maxlength: 100 });
  const transfer = h("div.grid", { hidden: true }, field("转入学校", toSchoolId), field("县外学校名称", toSchoolName));
  const sync = () => {
    transfer.hidden = toStatus.value !== "transferred_out";
    toSchoolName.disabled = !!toSchoolId.value;
  };
  toStatus.addEventListener("change", sync);
  toSchoolId.addEventListener("change", sync);
  const form = h("form.card.status-change", { novalidate: true, "aria-labelledby": "status-change-h" },
    h("h3", { id: "status-change-h" }, "登记转学、休学、辍学等状态变更"),
    h("p.muted", "休学、长期缺勤、辍学须写明原因；转出、休学、长期缺勤、辍学会通知村干部和乡镇儿童督导员，辍学同时开启控辍保学个案。"),
    h("div.grid", field("变更为", toStatus), field("生效日期", effectiveOn)), field("原因", reason), transfer,
    h("button.primary", { type: "submit" }, "登记变更"));
  S.onSubmit(form, (id) => {
    if (!toStatus.value) throw Object.assign(new Error("请选择"), { status: 422, fields: { toStatus: "请选择变更后的状态" } });
    const transferring = toStatus.value === "transferred_out";
    return post(`/v1/enrolments/${row.id}/status-changes`, {
      id, toStatus: toStatus.value, effectiveOn: effectiveOn.value, reason: S.optional(reason),
      toSchoolId: transferring && toSchoolId.value ? toSchoolId.value : null,
      toSchoolName: transferring && !toSchoolId.value ? S.optional(toSchoolName) : null,
    }, { ifMatch: version });
  }, {
    what: "登记变更",
    done: (result) => {
      const c = result.dropoutCase;
      if (c && c.status === "open") flashLink = { href: `#/schools${query({ school: row.schoolId, tab: "dropout" })}`, text: "查看控辍保学个案" };
      const text = c && c.status === "open" ? `已登记辍学，控辍保学个案已开启（${c.openedOn} 立案，乡镇督办中）。已通知村干部和乡镇儿童督导员（${result.alerts} 条跟进）。`
        : c ? `已登记${S.rollStatus[result.change.toStatus]}，控辍保学个案已关闭为“${S.closedHow[c.closedHow] || c.closedHow}”。`
          : `已登记：${S.rollStatus[result.change.toStatus]}（${result.change.effectiveOn} 起）${result.alerts ? `，已通知村干部和乡镇儿童督导员（${result.alerts} 条跟进）` : ""}。`;
      toast("已登记变更");
      reloadWith(app, { kind: c && c.status === "open" ? "bad" : "ok", text });
    },
    conflict: async () => {
      const fresh = (await get(`/v1/persons/${personId}/enrolments`)).items.find((e) => e.id === row.id);
      if (!fresh) return "此学籍记录已不可见，请返回名册。";
      version = fresh.version;
      return `此学籍刚被他人修改：当前状态为“${S.rollStatus[fresh.status]}”（版本 ${fresh.version}）。你填写的内容仍在，确认后可再次提交。`;
    },
  });
  return form;
}

function placementForm(app, personId, row) {
  let version = row.version;
  const stage = S.select("stage", S.stages, { value: row.stage });
  const grade = h("input", { name: "grade", type: "number", min: 1, max: 6, value: row.grade, inputmode: "numeric" });
  const className = h("input", { name: "className", maxlength: 30, value: row.className || "" });
  const boarding = h("select", { name: "boarding" }, h("option", { value: "false", selected: !row.boarding ? true : null }, "走读"),
    h("option", { value: "true", selected: row.boarding ? true : null }, "寄宿"));
  const form = h("form.card.placement", { novalidate: true, "aria-labelledby": "placement-h" },
    h("h3", { id: "placement-h" }, "编班（新学年升级、转入后分班）"),
    h("div.grid", field("学段", stage), field("年级", grade, { hint: "小学 1–6，其他学段 1–3" }), field("班级", className), field("寄宿", boarding)),
    h("button", { type: "submit" }, "保存编班"));
  S.onSubmit(form, () => put(`/v1/enrolments/${row.id}`, {
    stage: stage.value, grade: Number(grade.value), className: S.optional(className), classTeacherId: row.classTeacherId || null,
    boarding: boarding.value === "true",
  }, { ifMatch: version }), {
    what: "编班",
    done: () => reloadWith(app, { text: "编班已保存。" }),
    conflict: async () => {
      const fresh = (await get(`/v1/persons/${personId}/enrolments`)).items.find((e) => e.id === row.id);
      if (!fresh) return "此学籍记录已不可见，请返回名册。";
      version = fresh.version;
      return `此学籍刚被他人修改：现为${S.gradeText(fresh)}（版本 ${fresh.version}）。你填写的内容仍在，确认后可再次提交。`;
    },
  });
  return form;
}

function talkTab({ app, personId, open, name }) {
  if (!can("schools.care")) return h("p.muted", "谈心记录由本校教职工填写；记录内容只在儿童的时间线上显示“班主任谈心（日期）”。");
  if (!open) return h("p.banner.warn", "此儿童不在本校名册上，不能记录谈心。");
  const talkedOn = S.dateInput("talkedOn");
  const mood = S.select("mood", S.moods, { value: "ordinary" });
  const concerns = S.textarea("concerns", 2000);
  const form = h("form.card.talk-form", { novalidate: true, "aria-labelledby": "talk-h" },
    h("h3", { id: "talk-h" }, `谈心记录卡：${name}`),
    h("div.grid", field("谈心日期", talkedOn), field("情绪状态", mood)),
    S.chips("谈心内容（可多选）", "topics", S.topics, "talk"),
    field("发现的问题与关注事项", concerns),
    h("button.primary", { type: "submit" }, "保存谈心记录"));
  S.onSubmit(form, (id) => post("/v1/talks", {
    id, personId, talkedOn: talkedOn.value, topics: S.checked(form, "topics"), mood: mood.value, concerns: S.optional(concerns),
  }), { what: "保存谈心记录", done: (talk) => reloadWith(app, { text: `已保存 ${talk.talkedOn} 的谈心记录（${talk.teacherName}）。` }) });
  return [h("p", "班主任每月与留守儿童谈心一次。内容只保存在学校，儿童时间线上只显示谈心日期。"), form];
}

async function counsellingTab({ app, personId, open }) {
  let view;
  try {
    view = await get(`/v1/persons/${personId}/counselling`);
  } catch (error) {
    if (error.status !== 403) throw error;
    view = null;
  }
  const parts = [];
  if (!view) parts.push(h("p.banner.warn", { role: "alert", id: "counselling-refused" }, "你的角色不能查看心理辅导记录。"));
  else {
    parts.push(h("h3", "辅导记录"), view.sessions.length
      ? h("div.table-wrap", h("table.list.counselling-held", h("caption.sr-only", "心理辅导日期"),
        h("thead", h("tr", h("th", { scope: "col" }, "日期"), h("th", { scope: "col" }, "学校"))),
        h("tbody", view.sessions.map((s) => h("tr", h("td", s.heldOn), h("td", s.schoolName))))))
      : h("p.muted", "暂无心理辅导记录。"));
    if (view.details && view.details.length) {
      parts.push(h("p.banner.warn", "以下为保密内容：本次查看已记入审计日志，请勿外传。"),
        h("div.table-wrap", h("table.list.counselling-details", h("caption.sr-only", "心理辅导详情"),
          h("thead", h("tr", ["日期", "问题", "辅导记录", "后续计划", "风险", "心理老师"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", view.details.map((d) => h("tr", h("td", d.heldOn), h("td", d.issue), h("td", d.notes || "—"), h("td", d.plan || "—"),
            h("td", h(`span.badge${d.riskLevel === "high" ? ".bad" : d.riskLevel === "medium" ? ".warn" : ""}`, S.risks[d.riskLevel] || d.riskLevel)),
            h("td", d.counsellorName)))))));
    } else if (view.sessions.length) {
      parts.push(h("p.banner.ok", { id: "counselling-sealed" }, "辅导内容保密：只有本校指定的心理老师和乡镇儿童督导员能查看详情，你只能看到辅导发生的日期。"));
    }
  }
  // A counsellor of the school reads the details of its sessions: sessions there without details mean the caller is not one.
  const notCounsellor = view && open && view.sessions.some((x) => x.schoolId === open.schoolId) && !(view.details || []).some((d) => d.schoolId === open.schoolId);
  if (can("schools.counsel") && open && notCounsellor) parts.push(h("p.muted", { id: "counselling-not-counsellor" }, "心理辅导由乡镇指定的本校心理老师记录。"));
  else if (can("schools.counsel") && open) parts.push(counsellingForm(app, personId));
  return parts;
}

function counsellingForm(app, personId) {
  const heldOn = S.dateInput("heldOn");
  const issue = S.textarea("issue", 2000, 2);
  const notes = S.textarea("notes", 4000, 4);
  const plan = S.textarea("plan", 2000, 2);
  const riskLevel = S.select("riskLevel", S.risks, { value: "low" });
  const form = h("form.card.counselling-form", { novalidate: true, "aria-labelledby": "counselling-h" },
    h("h3", { id: "counselling-h" }, "记录心理辅导"),
    h("p.muted", "只有乡镇指定的本校心理老师能记录；其他教职工提交会被拒绝。"),
    h("div.grid", field("辅导日期", heldOn), field("风险程度", riskLevel)),
    field("主要问题", issue), field("辅导过程记录", notes), field("后续计划", plan),
    h("button.primary", { type: "submit" }, "保存辅导记录"));
  S.onSubmit(form, (id) => post("/v1/counselling-sessions", {
    id, personId, heldOn: heldOn.value, issue: issue.value.trim(), notes: S.optional(notes), plan: S.optional(plan), riskLevel: riskLevel.value,
  }), { what: "记录心理辅导", forbidden: "你不是此儿童所在学校指定的心理老师，不能记录心理辅导。", done: (s) => reloadWith(app, { text: `已保存 ${s.heldOn} 的心理辅导记录。` }) });
  return form;
}

function contactTab({ app, personId, open, name }) {
  if (!can("schools.care")) return h("p.muted", "亲情联系由本校教职工登记，按月汇总见“五个一”。");
  if (!open) return h("p.banner.warn", "此儿童不在本校名册上，不能登记亲情联系。");
  const occurredOn = S.dateInput("occurredOn");
  const kind = S.select("kind", S.contactKinds, { value: "phone" });
  const withWhom = S.select("withWhom", S.members, { value: "mother" });
  const notes = S.textarea("notes", 1000, 2);
  const form = h("form.card.contact-form", { novalidate: true, "aria-labelledby": "contact-h" },
    h("h3", { id: "contact-h" }, `登记亲情联系：${name}`),
    h("div.grid", field("日期", occurredOn), field("联系方式", kind), field("联系对象", withWhom)), field("备注", notes),
    h("button.primary", { type: "submit" }, "保存"));
  S.onSubmit(form, (id) => post("/v1/family-contacts", {
    id, personId, occurredOn: occurredOn.value, kind: kind.value, withWhom: withWhom.value, notes: S.optional(notes),
  }), { what: "登记亲情联系", done: (c) => reloadWith(app, { text: `已登记 ${c.occurredOn} ${S.contactKinds[c.kind]}（${S.members[c.withWhom]}）。` }) });
  return [h("p", "每周一个电话（视频也算），每月一封信，家长每月与班主任、任课教师各联系一次，每年至少回家一次；学校每月向家长反馈。"), form];
}

async function learningTab({ app, personId, open }) {
  const plans = (await get(`/v1/persons/${personId}/learning-plans`)).items;
  return [
    plans.length ? plans.map((p) => planCard(app, p)) : h("p.muted", "暂无学习帮扶计划。"),
    can("schools.care") && open ? planForm(app, personId) : null,
  ];
}

function planCard(app, p) {
  return h("section.file-section.learning-plan", { dataset: { id: p.id } },
    h("h3", `${p.subjects.map((s) => S.subjects[s] || s).join("、")}（${p.startOn} 起，${p.reviewOn} 复查）`),
    h("dl.pairs", h("dt", "目标"), h("dd", p.goals), h("dt", "措施"), h("dd", p.measures || "—"), h("dt", "帮扶教师"), h("dd", p.teacherName),
      h("dt", "学习帮手结对"), h("dd", p.pairingId ? "已关联" : "无")),
    p.checks.length ? h("div.table-wrap", h("table.list", h("caption", "进步档案"),
      h("thead", h("tr", ["日期", "进步情况", "说明", "记录人"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", p.checks.map((c) => h("tr", h("td", c.checkedOn), h("td", S.progress[c.progress] || c.progress), h("td", c.notes || "—"), h("td", c.checkedByName))))))
      : h("p.muted", "尚无进步档案。"),
    can("schools.care") ? checkForm(app, p) : null);
}

function checkForm(app, plan) {
  const checkedOn = S.dateInput("checkedOn");
  const progressSelect = S.select("progress", S.progress, { value: "improved" });
  const notes = S.textarea("notes", 2000, 2);
  const form = h("form.check-form.no-print", { novalidate: true, "aria-label": "记录进步档案" },
    h("div.grid", field("检查日期", checkedOn), field("进步情况", progressSelect)), field("说明", notes),
    h("button", { type: "submit" }, "记录进步档案"));
  S.onSubmit(form, (id) => post(`/v1/learning-plans/${plan.id}/checks`, {
    id, checkedOn: checkedOn.value, progress: progressSelect.value, notes: S.optional(notes),
  }), { what: "记录进步档案", done: () => reloadWith(app, { text: "进步档案已记录。" }) });
  return form;
}

function planForm(app, personId) {
  const goals = S.textarea("goals", 2000, 2);
  const measures = S.textarea("measures", 2000, 2);
  const startOn = S.dateInput("startOn");
  const reviewOn = h("input", { name: "reviewOn", type: "date" });
  const form = h("form.card.plan-form", { novalidate: true, "aria-labelledby": "plan-h" },
    h("h3", { id: "plan-h" }, "新建学习帮扶计划"),
    S.chips("帮扶科目（可多选）", "subjects", S.subjects, "plan"),
    field("目标", goals), field("措施", measures),
    h("div.grid", field("开始日期", startOn), field("复查日期", reviewOn)),
    h("p.muted", "儿童有正在进行的“学习帮手”结对时会自动关联。"),
    h("button.primary", { type: "submit" }, "保存计划"));
  S.onSubmit(form, (id) => post("/v1/learning-plans", {
    id, personId, subjects: S.checked(form, "subjects"), goals: goals.value.trim(), measures: S.optional(measures),
    startOn: startOn.value, reviewOn: reviewOn.value || startOn.value,
  }), { what: "保存学习帮扶计划", done: () => reloadWith(app, { text: "学习帮扶计划已保存。" }) });
  return form;
}
