"""Catalogue entries: the yearly commendation (年度表彰)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "commendation_reason": (
        "{year}年度{title}（第{rank}名，{stars}颗星）",
        "{year} {title} (rank {rank}, {stars} stars)",
    ),
    "commendation_exists": (
        "{village}{year}年度表彰已于{date}完成，每年只表彰一次，未重复发放积分",
        "{village} already held its {year} commendation on {date}; nothing was credited again",
    ),
    "commendation_race": (
        "{village}{year}年度表彰正在别处执行或刚刚完成，未重复发放积分",
        "{village} {year} commendation is running elsewhere or just finished; nothing credited",
    ),
    "commendation_not_found": (
        "{village}还没有{year}年度表彰记录",
        "{village} has no commendation for {year}",
    ),
    "commendation_no_stars": (
        "{village}{year}年没有生效的星级，暂无可表彰的农户",
        "{village} has no effective stars in {year}; nobody to commend",
    ),
    "commendation_year_invalid": (
        "年份 {year} 无效（不能是将来的年份）",
        "Invalid year {year} (it cannot be in the future)",
    ),
    "commendation_bonus_invalid": (
        "表彰奖励积分不能为负数：{bonus}",
        "The commendation bonus cannot be negative: {bonus}",
    ),
    # CLI
    "commendation_preview_head": (
        "{village}{year}年度表彰预览：称号“{title}”，前 {top_n} 名（并列同名次），每户奖励 {bonus} 分",
        "{village} {year} preview: title {title}, top {top_n} (ties share a rank), {bonus} points each",
    ),
    "commendation_preview_empty": (
        "{village}{year}年还没有生效的星级",
        "{village} has no effective stars in {year}",
    ),
    "commendation_preview_count": (
        "将表彰 {count} 户（仅预览，未写入任何记录）",
        "{count} households would be commended (preview only, nothing written)",
    ),
    "commendation_done": (
        "{village}{year}年度表彰完成：{count} 户获“{title}”称号，每户奖励 {bonus} 分",
        "{village} {year} commendation done: {count} households named {title}, {bonus} points each",
    ),
    "commendation_show_head": (
        "{village}{year}年度表彰（{date}，经办：{actor}）：称号“{title}”，每户 {bonus} 分",
        "{village} {year} commendation ({date}, by {actor}): {title}, {bonus} points each",
    ),
    "commendation_col_rank": ("名次", "Rank"),
    "commendation_col_number": ("户编号", "Household no."),
    "commendation_col_head": ("户主", "Head"),
    "commendation_col_stars": ("星数", "Stars"),
    "commendation_col_bonus": ("奖励积分", "Bonus"),
    "commendation_col_winner": ("是否表彰", "Commended"),
    "commendation_yes": ("★ 表彰", "★ yes"),
    "commendation_no": ("", ""),
}
