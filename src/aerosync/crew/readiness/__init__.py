"""Crew readiness (EBT -> FOS/CMS): may this pilot fly this type on this day?

For every pilot and type on a window's last day, each rule of the crew-operations design page
(employment, the qualifications the role requires, the EBT module, recency by day and by night,
cumulative flight time) with its state and the day it lapsed or lapses, and the verdict; and who
lapses within a horizon. Modules: `days` (the calendar), `queries` (the store, aggregated in SQL,
into the typed inputs of `facts`), `flight_time`, `verdicts` (pure: inputs to `states`),
`history` (what earlier exports said, and what changed), `export` (CSV, JSON, POST pages),
`report` (all of it for one company and day).
"""
