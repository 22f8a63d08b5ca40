"""Catalogue entries: star categories, rating rounds, awards, objections and the 公示."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- states
    "round_status_draft": ("草稿", "draft"),
    "round_status_review": ("评议", "review"),
    "round_status_publicity": ("公示", "public notice"),
    "round_status_effective": ("生效", "effective"),
    "award_status_proposed": ("待评议", "proposed"),
    "award_status_approved": ("评议通过", "approved"),
    "award_status_rejected": ("未通过", "rejected"),
    "award_status_withdrawn": ("已撤销（异议成立）", "withdrawn (objection upheld)"),
    "award_status_credited": ("已记分", "credited"),
    "objection_status_open": ("待处理", "open"),
    "objection_status_upheld": ("异议成立", "upheld"),
    "objection_status_rejected": ("异议不成立", "rejected"),
    # --- the round's record
    "event_created": ("新建轮次", "round created"),
    "event_award_proposed": ("提名", "award proposed"),
    "event_award_approved": ("评议通过", "award approved"),
    "event_award_rejected": ("评议不通过", "award rejected"),
    "event_award_withdrawn": ("撤回提名", "nomination withdrawn"),
    "event_submitted": ("提交评议", "submitted for review"),
    "event_published": ("发布公示", "notice published"),
    "event_objection_lodged": ("提出异议", "objection lodged"),
    "event_objection_upheld": ("异议成立", "objection upheld"),
    "event_objection_rejected": ("异议不成立", "objection rejected"),
    "event_reopened": ("退回评议", "reopened for review"),
    "event_effective": ("生效记分", "took effect"),
    "event_detail_created": ("{year}年度", "year {year}"),
    "event_detail_count": ("共 {count} 项提名", "{count} nominations"),
    "event_detail_award": (
        "#{id} {number} {name} · {category}（{points} 分）{note}",
        "#{id} {number} {name} · {category} ({points} points){note}",
    ),
    "event_detail_published": (
        "公示期 {start} 至 {end}（{days} 天），{count} 项",
        "notice {start} to {end} ({days} days), {count} awards",
    ),
    "event_detail_objection": (
        "异议 #{id} 针对提名 #{award_id}：{reason}",
        "objection #{id} against award #{award_id}: {reason}",
    ),
    "event_detail_resolved": (
        "异议 #{id}（提名 #{award_id}）：{note}",
        "objection #{id} (award #{award_id}): {note}",
    ),
    "event_detail_effective": (
        "{count} 项星级记入 {households} 户，共 {total} 分",
        "{count} awards credited to {households} households, {total} points",
    ),
    "award_entry_reason": ("{round} {category}：{reason}", "{round} {category}: {reason}"),
    # --- refusals: categories
    "category_not_found": (
        "{village}没有星级类别“{name}”",
        "{village} has no star category {name}",
    ),
    "category_exists": ("{village}已有星级类别“{name}”", "{village} already has category {name}"),
    "category_inactive": ("星级类别“{name}”已停用，不能再评", "Star category {name} is inactive"),
    "category_bad_points": (
        "积分分值须在 1 到 {max} 之间（收到 {points}）",
        "Points must be between 1 and {max} (got {points})",
    ),
    "category_bad_name": (
        "星级类别名称不能为空，且不超过 {max} 个字",
        "A category name must be 1 to {max} characters",
    ),
    # --- refusals: rounds
    "round_not_found": ("找不到评定轮次：{ref}", "No such rating round: {ref}"),
    "round_ambiguous": (
        "有多个村都有名为“{ref}”的轮次，请用 -v 指明村，或改用轮次编号",
        "Several villages have a round called {ref}; name the village or use the id",
    ),
    "round_bad_name": (
        "轮次名称不能为空，且不超过 {max} 个字（如：2026年第4季度）",
        "A round name must be 1 to {max} characters (e.g. 2026 Q4)",
    ),
    "round_bad_year": ("年份“{year}”不合理", "Implausible year: {year}"),
    "round_exists": ("{village}已有名为“{name}”的轮次", "{village} already has a round {name}"),
    "round_open_exists": (
        "{village}的轮次“{name}”还在{status}阶段，请先把它公示后再新建",
        "{village} still has round {name} in {status}; publish it first",
    ),
    "round_wrong_status": (
        "轮次“{name}”当前处于“{status}”阶段，此操作只能在“{needed}”阶段进行",
        "Round {name} is in {status}; this can only be done in {needed}",
    ),
    "round_already_effective": (
        "轮次“{name}”已生效（{at}），积分已记入，不会重复记入",
        "Round {name} is already effective ({at}); points are not credited twice",
    ),
    "round_no_awards": (
        "轮次“{name}”还没有任何提名，不能提交评议",
        "Round {name} has no nominations yet",
    ),
    "round_undecided": (
        "还有 {count} 项提名未评议，全部评议后才能公示",
        "{count} nominations are not decided yet",
    ),
    "round_nothing_approved": (
        "轮次“{name}”没有评议通过的星级，无法公示",
        "Round {name} has no approved award to publish",
    ),
    "publicity_deadline": ("{date} 24:00", "{date} 24:00"),
    "publicity_not_over": (
        "公示期至 {ends} 结束，期满后才能生效",
        "The public notice runs until {ends}; the round can take effect after that",
    ),
    "objections_open": (
        "还有 {count} 条异议未处理，处理完后才能生效",
        "{count} objections are still open",
    ),
    # --- refusals: awards
    "household_not_in_village": (
        "{village}没有户编号为“{number}”的农户",
        "{village} has no household {number}",
    ),
    "award_not_found": ("找不到星级提名 #{award_id}", "No award #{award_id}"),
    "award_exists": (
        "{household}在本轮已有“{category}”（提名 #{award_id}），同一户同一星级每轮只评一次",
        "{household} already has {category} in this round (award #{award_id})",
    ),
    "award_reason_required": ("请写明评星事由", "A reason for the award is required"),
    "award_already_decided": (
        "提名 #{award_id} 已评议（{status}），不能再改",
        "Award #{award_id} is already decided ({status})",
    ),
    "award_self_review": (
        "{actor}是提名 #{award_id} 的提名人，不能自己评议，须由其他村两委成员评议",
        "{actor} proposed award #{award_id} and may not review it",
    ),
    "award_own_household": (
        "{actor}是该户家庭成员，须回避：不能为本户提名、评议或处理异议",
        "{actor} belongs to this household and must stand aside",
    ),
    "award_no_reviewer": (
        "提名 #{award_id} 需要另一位村两委成员审核；本村目前没有可以审核这条提名的人："
        "提名人不能审自己的提名，户内成员不能审本户。"
        "请增设一位村两委成员，或请乡镇/县管理员审核，或由提名人撤回这条提名",
        "Award #{award_id} needs another committee member to review it, and nobody in the"
        " village may: the proposer never reviews their own nomination, nor a member their"
        " own household. Add a committee member, ask a township/county admin, or have the"
        " proposer withdraw it",
    ),
    "award_withdraw_not_proposer": (
        "只有提名人本人可以撤回提名 #{award_id}（{actor}不是提名人）；其他委员可以评议不通过",
        "Only the proposer may withdraw award #{award_id}; {actor} did not propose it",
    ),
    "review_hold_own_proposal": ("本人提名，须由他人审核", "your own nomination"),
    "review_hold_own_household": ("本户成员须回避", "your own household"),
    "round_quarter_name": ("{year}年第{quarter}季度", "{year} Q{quarter}"),
    "round_extra_name": ("{base}（补评{n}）", "{base} (extra{n})"),
    "review_note_required": ("评议不通过时请写明理由", "A note is required to reject"),
    # --- refusals: objections
    "objection_not_found": ("找不到异议 #{objection_id}", "No objection #{objection_id}"),
    "objection_name_required": ("请留下提出异议人的姓名", "The objector's name is required"),
    "objection_reason_required": ("请写明异议理由", "A reason for the objection is required"),
    "objection_not_in_publicity": (
        "轮次“{name}”不在公示期，不能提出异议",
        "Round {name} is not under public notice",
    ),
    "objection_window_closed": (
        "公示期已于 {ends} 结束，不能再提出异议",
        "The public notice ended at {ends}",
    ),
    "objection_award_not_approved": (
        "只能对公示中的星级提出异议（提名 #{award_id} 当前为“{status}”）",
        "Only published awards can be objected to (award #{award_id} is {status})",
    ),
    "objection_already_resolved": (
        "异议 #{objection_id} 已处理（{status}）",
        "Objection #{objection_id} is already resolved ({status})",
    ),
    "resolution_note_required": ("请写明处理意见", "A resolution note is required"),
    "rounds_text_too_long": (
        "{field}不能超过 {max} 个字",
        "{field} may not exceed {max} characters",
    ),
    "rounds_field_reason": ("事由", "Reason"),
    "rounds_field_note": ("意见", "Note"),
    "rounds_field_name": ("姓名", "Name"),
    "rounds_field_contact": ("联系方式", "Contact"),
    # --- the printed 公示
    "notice_not_published": (
        "轮次“{name}”当前处于“{status}”阶段，发布公示后才能打印",
        "Round {name} is in {status}; it can be printed once published",
    ),
    "notice_title": ("{village}{round}星级评定结果公示", "{village} {round}: star rating results"),
    "notice_intro": (
        "按照民主、公开、公平、公正的原则，经村两委评议，{round}星级评定结果如下，现予公示。",
        "Following review by the village committee, the results of {round} are published below.",
    ),
    "notice_period": (
        "公示期：{start}至{end}（共 {days} 天）",
        "Notice period: {start} to {end} ({days} days)",
    ),
    "notice_objection": (
        "公示期间，如对评定结果有异议，请于{end}前（含当日）以实名向{contact}反映，并说明理由。",
        "Objections, with your name and reasons, to {contact} by {end}.",
    ),
    "notice_contact_default": ("村委会", "the village committee"),
    "notice_summary": (
        "本次共评出星级 {count} 项，涉及 {households} 户，合计 {total} 积分。",
        "{count} stars for {households} households, {total} points in all.",
    ),
    "notice_committee": ("{village}村民委员会", "{village} Villagers' Committee"),
    "notice_effective": ("本轮已于{date}生效，积分已记入各户。", "Effective since {date}."),
    "notice_col_seq": ("序号", "No."),
    "notice_col_number": ("户编号", "Household no."),
    "notice_col_head": ("户主姓名", "Head of household"),
    "notice_col_group": ("组", "Group"),
    "notice_col_category": ("星级类别", "Star"),
    "notice_col_points": ("积分", "Points"),
    "notice_col_reason": ("事由", "Reason"),
    "notice_sheet": ("公示", "Notice"),
    "notice_print": ("打印", "Print"),
    # --- CLI lines
    "category_added": (
        "已新增星级类别：{name}（{points} 分）",
        "Category added: {name} ({points})",
    ),
    "category_updated": (
        "已更新星级类别：{name}（{points} 分，{state}）",
        "Category updated: {name} ({points}, {state})",
    ),
    "category_active": ("启用", "active"),
    "category_inactive_state": ("停用", "inactive"),
    "category_nothing_to_change": (
        "请用 --points 或 --activate/--deactivate 指明要改什么",
        "Say what to change: --points or --activate/--deactivate",
    ),
    "round_created": (
        "已新建评定轮次：{name}（编号 {id}，{year}年度，草稿）",
        "Round created: {name} (id {id}, {year}, draft)",
    ),
    "round_submitted": (
        "轮次“{name}”已提交评议，请其他村两委成员逐项评议",
        "Round {name} submitted for review",
    ),
    "round_published": (
        "轮次“{name}”已发布公示：{start}至{end}，期满且异议处理完后可生效",
        "Round {name} published: {start} to {end}",
    ),
    "round_reopened": (
        "轮次“{name}”已退回评议，原公示作废，重新公示将重新计算公示期",
        "Round {name} is back in review; the notice is withdrawn",
    ),
    "round_effective": (
        "轮次“{name}”已生效：{count} 项星级记入 {households} 户，共 {total} 分",
        "Round {name} effective: {count} awards, {households} households, {total} points",
    ),
    "round_none": ("{village}还没有评定轮次", "{village} has no rating round yet"),
    "round_header": (
        "{name}（编号 {id}，{year}年度）  阶段：{status}",
        "{name} (id {id}, {year})  status: {status}",
    ),
    "round_period_line": ("公示期：{start} 起，至 {end} 止", "Notice: from {start} until {end}"),
    "round_effective_line": ("生效时间：{at}", "Effective: {at}"),
    "round_counts_line": ("提名 {total} 项：{counts}", "{total} nominations: {counts}"),
    "round_needs_village": (
        "按名称查找轮次时请用 -v 指明村",
        "Name the village (-v) to find a round by name",
    ),
    "award_proposed": (
        "已提名 #{id}：{number} {name} · {category}（{points} 分），待评议",
        "Award #{id} proposed: {number} {name} · {category} ({points})",
    ),
    "award_approved": ("提名 #{id} 评议通过", "Award #{id} approved"),
    "award_rejected": ("提名 #{id} 评议不通过", "Award #{id} rejected"),
    "award_withdrawn": (
        "已撤回提名 #{id}：{number} {name} · {category}",
        "Award #{id} withdrawn: {number} {name} · {category}",
    ),
    "award_added_no_reviewer": (
        "注意：本村目前没有可以审核这条提名的人（提名人不能审自己的提名，户内成员不能审本户）。"
        "请增设一位村两委成员，或请乡镇/县管理员审核，或用 award withdraw {id} 撤回",
        "Note: nobody in the village may review this nomination. Add a committee member,"
        " ask a township/county admin, or withdraw it (award withdraw {id})",
    ),
    "objection_lodged": (
        "已受理异议 #{id}，村两委将核实处理；公示期内处理完毕前不会生效记分",
        "Objection #{id} received; the committee will look into it",
    ),
    "objection_upheld": (
        "异议 #{id} 成立，提名 #{award_id} 已撤销，不予记分",
        "Objection #{id} upheld; award #{award_id} withdrawn",
    ),
    "objection_rejected": (
        "异议 #{id} 不成立，提名 #{award_id} 维持",
        "Objection #{id} rejected; award #{award_id} stands",
    ),
    "objection_none": ("本轮没有异议", "No objections in this round"),
    "objection_choose": (
        "请用 --uphold（异议成立）或 --reject（异议不成立）二选一",
        "Choose --uphold or --reject",
    ),
    "notice_written": ("已生成公示：", "Notice written:"),
    "round_col_year": ("年度", "Year"),
    "round_col_status": ("阶段", "Status"),
    "round_col_awards": ("提名", "Awards"),
    "round_col_approved": ("通过/已记分", "Approved"),
    "round_col_period": ("公示期", "Notice"),
    "round_col_points": ("积分", "Points"),
    "round_col_active": ("状态", "State"),
    "round_col_proposer": ("提名人", "Proposed by"),
    "round_col_reviewer": ("评议人", "Reviewed by"),
    "round_col_award": ("提名", "Award"),
    "round_col_objector": ("异议人", "Objector"),
    "round_col_contact": ("联系方式", "Contact"),
    "round_col_resolution": ("处理意见", "Resolution"),
    "round_col_event": ("事项", "Action"),
    "round_col_detail": ("内容", "Detail"),
    "round_title_awards": ("星级提名", "Awards"),
    "round_title_objections": ("异议", "Objections"),
    # --- the committee's chat (rounds)
    "bot_round_approved_some": ("已通过 {count} 项提名。", "{count} nominations approved."),
    "bot_round_held_intro": (
        "以下 {count} 项您须回避，留给其他人审核：",
        "{count} nominations are left to others:",
    ),
    "bot_round_held_line": (
        "· #{id} {name}（{number}）{category}：{hold}；可审核：{reviewers}",
        "· #{id} {name} ({number}) {category}: {hold}; may review: {reviewers}",
    ),
    "bot_round_held_stuck_line": (
        "· #{id} {name}（{number}）{category}：{hold}；本村目前没有可以审核这条提名的人",
        "· #{id} {name} ({number}) {category}: {hold}; nobody in the village may review it",
    ),
    "bot_round_stuck_help": (
        "没人能审核的提名需要另一位村两委成员审核：提名人不能审自己的提名，户内成员不能审本户。"
        "办法：增设一位村两委成员，或请乡镇/县管理员审核，或由提名人撤回。",
        "A nomination nobody may review needs another committee member: add one, ask a"
        " township/county admin, or have the proposer withdraw it.",
    ),
    "bot_round_withdraw_button": ("撤回 #{id} {name}", "Withdraw #{id} {name}"),
    "bot_award_withdrawn": (
        "已撤回提名 #{id}：{name}（{number}）{category}。",
        "Nomination #{id} withdrawn: {name} ({number}) {category}.",
    ),
    "bot_round_exists": (
        "本季度的评星轮次“{name}”已经建过了（{status}），请选择：",
        "This quarter's round {name} already exists ({status}); choose:",
    ),
    "bot_round_working": (
        "轮次“{name}”还在{status}阶段：公示后才能新建轮次。",
        "Round {name} is still in {status}; publish it before starting another.",
    ),
    "bot_round_open_button": ("打开“{name}”", "Open {name}"),
    "bot_round_extra_button": ("新建补评：{name}", "Start extra round {name}"),
    # --- next steps in a round (usecases/round_steps: the bot's buttons, the CLI's line)
    "round_steps_step_nominate": ("提名评星", "Nominate"),
    "round_steps_step_submit": ("提交评议", "Submit for review"),
    "round_steps_step_approve": ("通过我可评议的提名", "Approve what I may review"),
    "round_steps_step_publish": ("发布公示", "Publish"),
    "round_steps_step_reopen": ("退回评议", "Back to review"),
    "round_steps_step_effect": ("公示期满，生效", "Take effect"),
    "round_steps_step_objections": ("查看异议", "Objections"),
    "round_steps_next": ("{name} 下一步可以：{steps}", "{name} may next: {steps}"),
    "round_steps_nothing": (
        "{name} 在本轮现在没有要办的事项",
        "Nothing for {name} to do in this round now",
    ),
    "round_steps_reads": (
        "{name} 可以查看本轮，评定由村两委办理",
        "{name} may read this round; the committee acts on it",
    ),
    "round_steps_ask_reopen_reason": (
        "请写退回评议的原因（记入本轮记录；原公示作废，重新公示将重新计算公示期）：",
        "Why does the round go back to review? (recorded; the notice is withdrawn)",
    ),
}
