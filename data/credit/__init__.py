"""Credit grades (诚信等级) per entity: the criteria as versioned data, the vectorised assessment, the runs."""
