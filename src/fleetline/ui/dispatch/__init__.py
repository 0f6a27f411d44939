"""The dispatcher console's live picture: map, fleet list, timelines, KPIs, planning."""
