DROP TABLE private_links;
