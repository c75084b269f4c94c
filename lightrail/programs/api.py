"""HTTP routes of programs, their issuances and their stats."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.http.body import parse_body
from lightrail.http.pagination import page_headers, page_request
from lightrail.http.responses import json_response, list_response
from lightrail.programs import issuances, service, stats
from lightrail.programs.schemas import CreateIssuance, CreateProgram, UpdateProgram

router = APIRouter()
SCOPE = "lightrailV2:programs"
ISSUANCES = "lightrailV2:issuances"


@router.get("/v2/programs")
async def list_programs(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:list")
    page = page_request(request)
    items, result = await service.list_programs(request.app.state.db, principal.account_id, request.query_params.multi_items(), page)
    return list_response(request, items, page_headers(request, result))


@router.post("/v2/programs")
async def create_program(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_ids("teamMemberId")
    principal.require_scopes(f"{SCOPE}:create")
    body = await parse_body(request, CreateProgram)
    return json_response(await service.create_program(request.app.state.db, principal.account_id, principal.created_by, body), 201)


@router.get("/v2/programs/{program_id}")
async def get_program(program_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:read")
    return json_response(await service.get_program(request.app.state.db, principal.account_id, program_id))


@router.patch("/v2/programs/{program_id}")
async def update_program(program_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:update")
    body = await parse_body(request, UpdateProgram)
    return json_response(await service.update_program(request.app.state.db, principal.account_id, program_id, body))


@router.delete("/v2/programs/{program_id}")
async def delete_program(program_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:delete")
    return json_response(await service.delete_program(request.app.state.db, principal.account_id, program_id))


@router.get("/v2/programs/{program_id}/stats")
async def program_stats(program_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:read")
    return json_response(await stats.program_stats(request.app.state.db, principal.account_id, program_id))


@router.get("/v2/programs/{program_id}/issuances")
async def list_issuances(program_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{ISSUANCES}:list")
    page = page_request(request)
    items, result = await issuances.list_issuances(
        request.app.state.db, principal.account_id, program_id, request.query_params.multi_items(), page
    )
    return list_response(request, items, page_headers(request, result))


@router.post("/v2/programs/{program_id}/issuances")
async def create_issuance(program_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_ids("teamMemberId")
    principal.require_scopes(f"{ISSUANCES}:create")
    body = await parse_body(request, CreateIssuance)
    issuance = await issuances.create_issuance(
        request.app.state.db, request.app.state.codes, principal.account_id, principal.created_by, program_id, body
    )
    return json_response(issuance, 201)


@router.get("/v2/programs/{program_id}/issuances/{issuance_id}")
async def get_issuance(program_id: str, issuance_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{ISSUANCES}:read")
    return json_response(await issuances.get_issuance(request.app.state.db, principal.account_id, program_id, issuance_id))
