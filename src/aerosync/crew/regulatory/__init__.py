"""The regulators' exports of the crew wing: the FAA Pilot Records Database's training events
(`prd`), each person's EASA crew training record (`easa`) and what expires soon (`expiring`),
each as CSV and JSON (`files`), each row traced to its stored row, the run that loaded it and
that change's audit entry (`provenance`), checked by its suite before anything is written
(`checks`)."""
