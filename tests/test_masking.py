from village.masking import mask_id_card, mask_phone


def test_masks() -> None:
    assert mask_id_card("410122195101010017") == "4101**********0017"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("1381234") == "13***34"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) == mask_id_card(None) == "—"
