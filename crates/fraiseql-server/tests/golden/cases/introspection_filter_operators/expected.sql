-- int: answered without SQL

-- boolean: answered without SQL

-- id: answered without SQL

-- role: answered without SQL

-- string: answered without SQL

-- ip: answered without SQL

-- cidr: answered without SQL

-- ltree: answered without SQL

-- array: answered without SQL

-- list: answered without SQL
