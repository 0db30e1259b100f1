// 接收方式: the caller's phone (shown masked), WeCom and DingTalk accounts for alerts; online only.
import { h, mount } from "../../shared/ui.js";
import { contactForm, loadContact } from "../../shared/alerts.js";

export async function contactView({ app }) {
  const heading = h("div.row", h("h2.grow", "接收方式"), h("a.button", { href: "#/inbox" }, "返回消息"));
  let loaded;
  try {
    loaded = await loadContact();
  } catch (error) {
    mount(app.view, heading, h("p.banner.warn", { role: "alert" }, error.offline ? "离线：查看和修改接收方式需要联网。" : `加载失败：${error.message}`));
    return;
  }
  mount(app.view, heading,
    h("p.small", "消息始终显示在“消息”页。提醒规则选用短信、企业微信或钉钉时，按这里填写的方式通知你。"),
    h("div.card", contactForm(loaded)));
}
