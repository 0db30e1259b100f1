// 我的: account, roles, how alerts reach me, password, install help, logout.
import { h, mount, formatTime } from "../../shared/ui.js";
import * as session from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import { outbox } from "../data.js";

export async function meView({ app, profile }) {
  const pending = await outbox.pendingCount(profile.accountId);
  const logout = h("button.big", { type: "button" }, "退出登录");
  logout.addEventListener("click", async () => {
    const mine = await outbox.pendingCount(profile.accountId);
    if (mine && !confirm(`还有 ${mine} 条记录未上传。退出后它们仍保存在本机，您下次登录后会自动上传。确定退出？`)) return;
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
