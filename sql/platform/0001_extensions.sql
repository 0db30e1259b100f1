-- Platform foundation: extensions the modules rely on.
-- ltree gives organisation units a materialised path, so "is X inside Y's subtree" is one indexed predicate.
create extension if not exists ltree;
