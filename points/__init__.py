"""Stars and rating rounds, the points ledger, the 扶贫超市 and yearly commendations."""
