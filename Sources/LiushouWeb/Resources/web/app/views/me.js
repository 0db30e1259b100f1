// 我的: account, roles, how alerts reach me, password, install help, logout.
import { h, mount, formatTime } from "../../shared/ui.js";
import * as session from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import { outbox, db } from "../data.js";

export async function meView({ app, profile }) {
  const pending = await outbox.pendingCount(profile.accountId);
  const logout = h("button.big", { type: "button" }, "退出登录");
  logout.addEventListener("click", async () => {
    const mine = await outbox.pendingCount(profile.accountId);
    // Refused records go with the logout (they hold notes about people): the user is told first.
    const refused = (await outbox.list(profile.accountId)).filter((r) => ["rejected", "conflict"].includes(r.state)).length;
    // Unsent safeguarding drafts go with the logout too (they are kept on this device only).
    const drafts = (await db.all("drafts")).filter((d) => d.key.startsWith("report") && (d.kind || d.details)).length;
    const lines = [
      mine ? `还有 ${mine} 条记录未上传。退出后它们仍保存在本机，您下次登录后会自动上传。` : "",
      refused ? `另有 ${refused} 条被服务器退回的记录，退出后将从本机删除；需要的话请先在“待上传”中重新填写。` : "",
      drafts ? `还有 ${drafts} 份未提交的强制报告草稿，退出后将从本机删除；儿童有危险时请先提交或拨打 110。` : "",
    ].filter(Boolean);
    if (lines.length && !confirm(`${lines.join("\n")}\n确定退出？`)) return;
    await session.logout();
    app.go("#/login");
  });
  mount(app.view,
    h("h2", "我的"),
    h("div.card", h("dl.kv",
      h("dt", "账号"), h("dd", profile.username),
      h("dt", "角色"), h("dd", [...new Set((profile.grants || []).map((g) => vocab.roles[g.role] || g.role))].join("、")),
      h("dt", "本机待上传"), h("dd", `${pending} 条`),
      h("dt", "登录有效至"), h("dd", profile.expiresAt ? formatTime(profile.expiresAt) : "—"))),
    h("section.card", h("h3", "安装到手机桌面"),
      h("p.small", "用手机浏览器打开本页，点菜单中的“添加到主屏幕”或“安装应用”。安装后没有网络也能打开，记录保存在手机上，联网后自动上传。")),
    h("div.actions", h("a.button", { href: "#/contact" }, "消息接收方式"), h("a.button", { href: "#/password" }, "修改密码"), logout),
    h("p.muted.small", "退出登录会清除本机保存的人员资料；未上传的记录会保留。30 分钟未操作会锁定，输入密码（离线也可）继续。"));
}
