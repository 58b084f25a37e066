DROP TABLE busy_summaries;
