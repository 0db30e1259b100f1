// The console's menu: each entry names the permission(s) it needs (any of them); an entry the
// caller's permissions do not allow is never shown, and its route answers "无权限".
export const MENU = [
  { group: "人员档案", items: [
    { route: "persons", label: "人员档案", any: ["persons.read"] },
    { route: "new", label: "新建档案", any: ["persons.write"] },
    { route: "ledger", label: "台账导入导出", any: ["persons.import", "persons.export"] },
  ] },
  { group: "工作队列", items: [
    { route: "followups", label: "我的跟进", any: ["followups.handle"] },
    { route: "safeguarding", label: "强制报告", any: ["safeguarding.read"] },
    { route: "overdue", label: "逾期走访", any: ["visits.read"] },
  ] },
  { group: "业务工作", items: [
    { route: "relief", label: "帮扶救助", any: ["relief.read"] },
    { route: "legal", label: "法律援助", any: ["legal_aid.read", "legal_aid.manage", "legal_aid.configure"] },
    { route: "schools", label: "学校关爱", any: ["schools.read", "schools.manage", "schools.care", "schools.counsel", "schools.counsellors"] },
    { route: "clinics", label: "健康体检", any: ["health.record", "health.details", "indicators.read"] },
    { route: "volunteers", label: "志愿结对", any: ["volunteers.read", "volunteers.manage", "pairings.read", "pairings.manage"] },
  ] },
  { group: "消息提醒", items: [
    { route: "alerts", label: "收件箱", any: [] },
    { route: "contact", label: "我的接收方式", any: [] },
    { route: "alert-rules", label: "提醒规则", any: ["alerts.manage"] },
    { route: "alert-channels", label: "群机器人与短信", any: ["alerts.manage"] },
    { route: "alert-deliveries", label: "发送记录", any: ["alerts.manage"] },
  ] },
  { group: "系统管理", items: [
    { route: "units", label: "组织机构", any: ["units.read"] },
    { route: "users", label: "用户与授权", any: ["users.read", "users.manage"] },
    { route: "service-accounts", label: "服务账号", any: ["service_accounts.manage"] },
    { route: "audit", label: "审计日志", any: ["audit.read"] },
  ] },
  { group: "其他", items: [
    { route: "dashboard", label: "联席会议驾驶舱", any: ["indicators.read"], href: "/dashboard" },
    { route: "password", label: "修改密码", any: [] },
  ] },
];

const OTHER_LABELS = { home: "工作台", person: "人员档案", edit: "修改档案", login: "登录", "second-factor": "双因素认证", "two-factor": "双因素认证" };

/** A route's name for the window title: its menu entry's label. */
export function menuLabel(route) {
  for (const g of MENU) for (const i of g.items) if (i.route === route) return i.label;
  return OTHER_LABELS[route] || "";
}

export function allowed(item, permissions) {
  return item.any.length === 0 || item.any.some((p) => permissions.includes(p));
}

/** The routes a profile may open, in menu order. */
export function menuFor(profile) {
  const permissions = (profile && profile.permissions) || [];
  return MENU.map((g) => ({ group: g.group, items: g.items.filter((i) => allowed(i, permissions)) })).filter((g) => g.items.length);
}

/** The permission(s) a route needs (person pages need persons.read). */
export function routeAllowed(route, profile) {
  const permissions = (profile && profile.permissions) || [];
  if (["home", "password", "login", "second-factor", "two-factor"].includes(route)) return true;
  if (route === "person" || route === "edit") return permissions.includes(route === "edit" ? "persons.write" : "persons.read");
  for (const g of MENU) for (const i of g.items) if (i.route === route) return allowed(i, permissions);
  return false;
}
