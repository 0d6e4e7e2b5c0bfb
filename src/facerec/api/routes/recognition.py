"""/v1/verify, /v1/identify, /v1/detect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from facerec import views
from facerec.api.deps import client_of, get_runtime, read_upload, run_blocking
from facerec.service import recognition
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1", tags=["recognition"])


@router.post("/verify", response_model=views.VerifyResponse)
async def verify(
    request: Request,
    image1: UploadFile = File(),
    image2: UploadFile = File(),
    threshold: float | None = Form(None, description="Override the configured threshold"),
    runtime: Runtime = Depends(get_runtime),
) -> views.VerifyResponse:
    limit = runtime.settings.max_image_bytes
    first, second = await read_upload(image1, limit), await read_upload(image2, limit)
    result = await run_blocking(
        request,
        recognition.verify,
        runtime.recognizer,
        image1=first,
        image2=second,
        threshold=threshold,
        client=client_of(request),
    )
    return views.VerifyResponse.of(result)


@router.post("/identify", response_model=views.IdentifyResponse)
async def identify(
    request: Request,
    image: UploadFile = File(),
    threshold: float | None = Form(None, description="Override the configured threshold"),
    top_k: int = Form(5, description="Candidates per face"),
    runtime: Runtime = Depends(get_runtime),
) -> views.IdentifyResponse:
    data = await read_upload(image, runtime.settings.max_image_bytes)
    result = await run_blocking(
        request,
        recognition.identify,
        runtime.recognizer,
        image=data,
        threshold=threshold,
        top_k=top_k,
        client=client_of(request),
    )
    return views.IdentifyResponse.of(result)


@router.post("/detect", response_model=views.DetectResponse)
async def detect(
    request: Request, image: UploadFile = File(), runtime: Runtime = Depends(get_runtime)
) -> views.DetectResponse:
    data = await read_upload(image, runtime.settings.max_image_bytes)
    found = await run_blocking(
        request, recognition.detect, runtime.engine, runtime.settings, image=data
    )
    return views.DetectResponse(faces=[views.Face.of(f) for f in found])
