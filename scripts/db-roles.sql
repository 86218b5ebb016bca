-- The database, its owner and the application's role (README, "Running it in production" → "Database roles").
-- Run once, as a PostgreSQL superuser (or a role with CREATEROLE and CREATEDB):
--
--   psql -h DBHOST -U postgres -v ON_ERROR_STOP=1 \
--        -v database=contactcenter -v owner_role=cc_owner -v owner_password='…' \
--        -v app_role=cc_app -v app_password='…' -f scripts/db-roles.sql
--
-- cc_owner owns the database and its tables and runs `manage.py migrate`, then
-- `manage.py db_grant_app_role cc_app` (after every migrate). cc_app is the user in the DATABASE_URL of the
-- ASGI servers, the task workers and the scheduler: it owns nothing, so it can neither disable the ledger's
-- trigger nor truncate a table, and it has only SELECT, INSERT on the consent ledger. Idempotent: existing roles
-- and the database are kept (their passwords too).
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'owner_role', :'owner_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN NOINHERIT PASSWORD %L', :'app_role', :'app_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner_role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec

-- Only these two roles connect.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'database', :'app_role') \gexec

\connect :"database"
-- Nobody but the owner creates objects (PostgreSQL 15's default; said here for older clusters).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app_role') \gexec
-- Tables and sequences the owner's migrations create later are the app's to use at once; db_grant_app_role then
-- takes UPDATE and DELETE on the ledger back.
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
              :'owner_role', :'app_role') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I',
              :'owner_role', :'app_role') \gexec
