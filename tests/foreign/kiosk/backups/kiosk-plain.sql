--
-- PostgreSQL database dump
--

\restrict xNCCsN5rFTUzNBz555VEfWmnUH6kVI4hjZ8ZlxfMpJSOqOaFkWP1TVtOgHLW1ms

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

-- Started on 2026-11-26 17:34:38 XXX

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- TOC entry 217 (class 1259 OID 16394)
-- Name: playlist; Type: TABLE; Schema: public; Owner: kiosk
--

CREATE TABLE public.playlist (
    id integer NOT NULL,
    screen_id integer,
    title text
);


ALTER TABLE public.playlist OWNER TO kiosk;

--
-- TOC entry 216 (class 1259 OID 16393)
-- Name: playlist_id_seq; Type: SEQUENCE; Schema: public; Owner: kiosk
--

CREATE SEQUENCE public.playlist_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.playlist_id_seq OWNER TO kiosk;

--
-- TOC entry 3360 (class 0 OID 0)
-- Dependencies: 216
-- Name: playlist_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: kiosk
--

ALTER SEQUENCE public.playlist_id_seq OWNED BY public.playlist.id;


--
-- TOC entry 215 (class 1259 OID 16385)
-- Name: screen; Type: TABLE; Schema: public; Owner: kiosk
--

CREATE TABLE public.screen (
    id integer NOT NULL,
    location text NOT NULL
);


ALTER TABLE public.screen OWNER TO kiosk;

--
-- TOC entry 214 (class 1259 OID 16384)
-- Name: screen_id_seq; Type: SEQUENCE; Schema: public; Owner: kiosk
--

CREATE SEQUENCE public.screen_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.screen_id_seq OWNER TO kiosk;

--
-- TOC entry 3361 (class 0 OID 0)
-- Dependencies: 214
-- Name: screen_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: kiosk
--

ALTER SEQUENCE public.screen_id_seq OWNED BY public.screen.id;


--
-- TOC entry 3203 (class 2604 OID 16397)
-- Name: playlist id; Type: DEFAULT; Schema: public; Owner: kiosk
--

ALTER TABLE ONLY public.playlist ALTER COLUMN id SET DEFAULT nextval('public.playlist_id_seq'::regclass);


--
-- TOC entry 3202 (class 2604 OID 16388)
-- Name: screen id; Type: DEFAULT; Schema: public; Owner: kiosk
--

ALTER TABLE ONLY public.screen ALTER COLUMN id SET DEFAULT nextval('public.screen_id_seq'::regclass);


--
-- TOC entry 3354 (class 0 OID 16394)
-- Dependencies: 217
-- Data for Name: playlist; Type: TABLE DATA; Schema: public; Owner: kiosk
--

COPY public.playlist (id, screen_id, title) FROM stdin;
1	1	welcome
2	2	menu
3	3	departures
\.


--
-- TOC entry 3352 (class 0 OID 16385)
-- Dependencies: 215
-- Data for Name: screen; Type: TABLE DATA; Schema: public; Owner: kiosk
--

COPY public.screen (id, location) FROM stdin;
1	lobby
2	cafeteria
3	platform 2
\.


--
-- TOC entry 3362 (class 0 OID 0)
-- Dependencies: 216
-- Name: playlist_id_seq; Type: SEQUENCE SET; Schema: public; Owner: kiosk
--

SELECT pg_catalog.setval('public.playlist_id_seq', 3, true);


--
-- TOC entry 3363 (class 0 OID 0)
-- Dependencies: 214
-- Name: screen_id_seq; Type: SEQUENCE SET; Schema: public; Owner: kiosk
--

SELECT pg_catalog.setval('public.screen_id_seq', 3, true);


--
-- TOC entry 3207 (class 2606 OID 16401)
-- Name: playlist playlist_pkey; Type: CONSTRAINT; Schema: public; Owner: kiosk
--

ALTER TABLE ONLY public.playlist
    ADD CONSTRAINT playlist_pkey PRIMARY KEY (id);


--
-- TOC entry 3205 (class 2606 OID 16392)
-- Name: screen screen_pkey; Type: CONSTRAINT; Schema: public; Owner: kiosk
--

ALTER TABLE ONLY public.screen
    ADD CONSTRAINT screen_pkey PRIMARY KEY (id);


--
-- TOC entry 3208 (class 2606 OID 16402)
-- Name: playlist playlist_screen_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: kiosk
--

ALTER TABLE ONLY public.playlist
    ADD CONSTRAINT playlist_screen_id_fkey FOREIGN KEY (screen_id) REFERENCES public.screen(id);


-- Completed on 2026-11-26 17:34:38 XXX

--
-- PostgreSQL database dump complete
--

\unrestrict xNCCsN5rFTUzNBz555VEfWmnUH6kVI4hjZ8ZlxfMpJSOqOaFkWP1TVtOgHLW1ms

