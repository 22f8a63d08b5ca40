"""Catalogue entries: the points ledger."""

MESSAGES: dict[str, tuple[str, str]] = {
    "insufficient_points": (
        "积分不足：现有 {balance} 分，需要 {needed} 分",
        "Not enough points: {balance} available, {needed} needed",
    ),
    "idempotency_conflict": (
        "幂等键“{key}”已用于另一笔不同的记账，已拒绝",
        "Idempotency key {key} was already used for a different entry",
    ),
    "idempotency_race": (
        "同一笔记账正在别处提交，请稍后重试",
        "The same entry is being written elsewhere; please retry",
    ),
    "entry_not_found": ("找不到积分记录 #{entry_id}", "No ledger entry #{entry_id}"),
    "cannot_reverse_reversal": (
        "记录 #{entry_id} 本身是冲正记录，不能再冲正",
        "Entry #{entry_id} is a reversal and cannot be reversed",
    ),
    "reverse_redemption_by_return": (
        "记录 #{entry_id} 是兑换 #{id} 的扣分，不能单独冲正：请办理退货"
        "（xiangxin redeem return {id}，或店主菜单“退货”），积分和库存一起退回",
        "Entry #{entry_id} pays for redemption #{id}: return the goods "
        "(xiangxin redeem return {id}) to give back points and stock together",
    ),
    "already_reversed": (
        "记录 #{entry_id} 已被冲正（冲正记录 #{reversal_id}）",
        "Entry #{entry_id} was already reversed by #{reversal_id}",
    ),
    "reason_required": ("请写明原因", "A reason is required"),
    "verify_no_account": ("有流水但没有账户", "Entries without an account"),
    "verify_mismatch": ("余额与流水合计不符", "Balance differs from the sum of entries"),
    "verify_running_mismatch": ("记录的结余与累计不符", "Entry balance differs from running sum"),
    "verify_negative": ("余额为负", "Negative balance"),
    "verify_broken_reversal": ("冲正关联错误", "Broken reversal link"),
    "verify_ok": (
        "核对完成：{accounts} 个账户、{entries} 条流水，全部一致",
        "Verified {accounts} accounts and {entries} entries: all consistent",
    ),
    "verify_failed": ("核对发现 {count} 个问题", "Verification found {count} problems"),
    "kind_award": ("星级积分", "star award"),
    "kind_redemption": ("超市兑换", "redemption"),
    "kind_commendation": ("年度表彰", "commendation"),
    "kind_reversal": ("冲正", "reversal"),
}
